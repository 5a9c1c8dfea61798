"""regenerate() racing other requests of the same session: nothing resurrected, nothing
lost silently, and no response points the browser at a deleted ID.

A concurrent request is run at every point of the regenerating request's save (before
each of its store calls), through a wrapper that interleaves it there, around each
real store: MemoryStore, RedisStore and SQLStore on PostgreSQL.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator

import pytest

from sessionware import MemoryStore, ServerSideSession, ServerSideSessionInterface, SessionConfig
from sessionware.stores import Store, StoreError, StoreRecord
from sessionware.stores.sql import SQLStore
from tests.stores.test_sql import POSTGRES_URL, postgres_reachable

from .conftest import SECRET, FakeClock

CONFIG = SessionConfig(secret_key=SECRET)
Headers = list[tuple[str, str]]


class InterleavingStore(Store):
    """Wraps a real store; runs ``hook`` once, just before its call number ``at``."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.hook: Callable[[], None] | None = None
        self.at = 0
        self.calls = 0
        #: "hook" when the hook ran, "created" when a call created a record.
        self.events: list[str] = []
        #: The IDs of the records created since :meth:`arm`.
        self.created: list[str] = []

    def arm(self, at: int, hook: Callable[[], None]) -> None:
        self.hook, self.at, self.calls, self.events, self.created = hook, at, 0, [], []

    def _step(self) -> None:
        hook = self.hook
        if hook is not None:
            if self.calls == self.at:
                self.hook = None
                hook()
                self.events.append("hook")
            self.calls += 1

    def _created(self, sid: str) -> None:
        self.events.append("created")
        self.created.append(sid)

    def get(self, sid: str) -> StoreRecord | None:
        self._step()
        return self.inner.get(sid)

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        self._step()
        result = self.inner.set(sid, data, ttl, version)
        if version is None and result is not None:
            self._created(sid)
        return result

    def move(self, sid: str, new_sid: str, data: str, ttl: int, version: int) -> int | None:
        self._step()
        result = self.inner.move(sid, new_sid, data, ttl, version)
        if result is not None:
            self._created(new_sid)
        return result

    def delete(self, sid: str) -> None:
        self._step()
        self.inner.delete(sid)

    def touch(self, sid: str, ttl: int) -> bool:
        self._step()
        return self.inner.touch(sid, ttl)


@pytest.fixture(params=["memory", "redis", "postgresql"])
def backend(request: pytest.FixtureRequest, clock: FakeClock) -> Iterator[Store]:
    """The real store under test: MemoryStore, RedisStore or SQLStore on PostgreSQL."""
    if request.param == "memory":
        yield MemoryStore(clock=clock)
    elif request.param == "redis":
        yield request.getfixturevalue("redis_store")
    else:
        if not postgres_reachable():
            pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}; start it to run this")
        table = f"sessionware_test_{secrets.token_hex(6)}"
        sql_store = SQLStore(POSTGRES_URL, table_name=table, clock=clock)
        yield sql_store
        sql_store.table.drop(sql_store.engine)
        sql_store.close()


class Site:
    def __init__(self, clock: FakeClock, backend: Store) -> None:
        self.store = InterleavingStore(backend)
        self.interface = ServerSideSessionInterface(self.store, clock=clock)

    def live(self, sid: str | None) -> StoreRecord | None:
        """The stored record of ``sid``, read behind the interleaving."""
        return None if sid is None else self.store.inner.get(sid)

    def open(self, cookie: str | None) -> ServerSideSession:
        environ = {"HTTP_COOKIE": f"session={cookie}"} if cookie else {}
        session = self.interface.open_session(CONFIG, environ)
        assert isinstance(session, ServerSideSession)
        return session

    def save(self, session: ServerSideSession) -> Headers:
        headers: Headers = []
        self.interface.save_session(CONFIG, session, headers)
        return headers

    def points_at_a_live_session(self, headers: Headers) -> bool | None:
        """Whether the response's cookie names a stored session; None if it sets none."""
        for name, value in headers:
            if name == "Set-Cookie":
                cookie = value.split(";")[0].removeprefix("session=")
                return bool(cookie) and self.open(cookie).sid is not None
        return None

    def login(self) -> str:
        session = self.open(None)
        session["user"] = "ada"
        headers = self.save(session)
        return headers[-1][1].split(";")[0].removeprefix("session=")

    def two_requests(self) -> tuple[ServerSideSession, ServerSideSession]:
        """A user logs in; then two requests of theirs open the session at once."""
        cookie = self.login()
        return self.open(cookie), self.open(cookie)

    def regenerate(
        self,
        session: ServerSideSession,
        at: int,
        concurrent: Callable[[], None],
        *,
        changes_data: bool,
    ) -> Headers:
        """Regenerate ``session`` (writing to it first, if told) and save it, running
        ``concurrent`` just before the save's store call number ``at``."""
        self.store.arm(at, concurrent)
        if changes_data:
            session["role"] = "admin"
        session.regenerate()
        return self.save(session)


@pytest.fixture
def site(clock: FakeClock, backend: Store) -> Site:
    return Site(clock, backend)


#: A concurrent request before each store call of the regenerating save, with a
#: regenerate() alone and with one that also changes the data.
INTERLEAVINGS = [
    pytest.param(at, changes_data, id=f"{label}-{at}")
    for changes_data, label in ((False, "regenerate-only"), (True, "with-a-write"))
    for at in range(4)
]


@pytest.mark.parametrize(("at", "changes_data"), INTERLEAVINGS)
def test_a_logout_during_regenerate_is_not_undone(
    site: Site, session_log: pytest.LogCaptureFixture, at: int, changes_data: bool
) -> None:
    privileged, logout = site.two_requests()
    old = privileged.sid
    logout.invalidate()

    def log_out() -> None:
        site.save(logout)

    headers = site.regenerate(privileged, at, log_out, changes_data=changes_data)
    events = site.store.events
    if "hook" in events and events.index("hook") < [*events, "created"].index("created"):
        # The logout deleted the old ID before any new one existed: it must stay ended.
        assert site.live(old) is None
        assert [sid for sid in site.store.created if site.live(sid)] == []
        assert site.points_at_a_live_session(headers) is not True
        assert "ended or given a new ID by a concurrent request" in session_log.text
    else:  # the login completed first; the logout of the old ID came after it
        assert site.points_at_a_live_session(headers) is True


@pytest.mark.parametrize(("at", "changes_data"), INTERLEAVINGS)
def test_a_write_during_regenerate_is_kept_or_reported(
    site: Site, session_log: pytest.LogCaptureFixture, at: int, changes_data: bool
) -> None:
    regenerating, writing = site.two_requests()
    writing["cart"] = ["book"]
    old = regenerating.sid
    written: list[Headers] = []

    def write() -> None:
        written.append(site.save(writing))

    headers = site.regenerate(regenerating, at, write, changes_data=changes_data)
    assert site.points_at_a_live_session(headers) is True
    assert regenerating.sid != old
    assert site.live(old) is None
    record = site.live(regenerating.sid)
    assert record is not None
    data = record.data
    assert '"user":"ada"' in data
    assert ('"role":"admin"' in data) is changes_data
    if written and '"cart":["book"]' not in data:
        # The write came after the move: it is dropped with a warning, and its
        # response sets no cookie (the old ID is gone).
        assert "changes to keys ['cart'] are dropped" in session_log.text
        assert site.points_at_a_live_session(written[0]) is None
    # Else it came before the move, whose retry merged it: nothing was lost.


def test_regenerate_draws_another_id_when_the_fresh_one_is_taken(site: Site) -> None:
    taken = site.open(site.login()).sid
    assert taken is not None
    cookie = site.login()
    session = site.open(cookie)
    fresh = "f" * 43
    ids = iter([taken, fresh])
    site.interface.new_sid = lambda: next(ids)  # type: ignore[method-assign]
    session.regenerate()
    site.save(session)
    assert session.sid == fresh
    assert site.live(taken) is not None
    assert site.live(fresh) is not None


def test_regenerate_gives_up_after_three_taken_ids(site: Site) -> None:
    taken = site.open(site.login()).sid
    assert taken is not None
    session = site.open(site.login())
    site.interface.new_sid = lambda: taken  # type: ignore[method-assign]
    session.regenerate()
    with pytest.raises(StoreError, match="three fresh session IDs"):
        site.save(session)
