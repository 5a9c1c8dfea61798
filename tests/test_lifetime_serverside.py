"""Server-side sessions: idle and absolute timeouts, and a user's sessions, in process."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from sessionware import MemoryStore, ServerSideSessionInterface, StoreError, events
from sessionware.cookies._signing import _b64decode
from sessionware.serverside.users import owner_of
from sessionware.stores import IndexEntry

from ._apps import Browser, login, set_cookies, who
from .conftest import FakeClock

IDLE = 900
ABSOLUTE = 8 * 3600
START = 1_700_000_000


def interface_for(clock: FakeClock, **kwargs: Any) -> ServerSideSessionInterface:
    kwargs.setdefault("user_key", "user_id")
    return ServerSideSessionInterface(MemoryStore(clock=clock), clock=clock, **kwargs)


def browser(clock: FakeClock, interface: ServerSideSessionInterface, **settings: Any) -> Browser:
    return Browser(clock, interface=interface, **settings)


def sid_of(each: Browser) -> str:
    """The session ID a browser's cookie carries (signed, not hidden)."""
    cookie = each.cookie()
    assert cookie is not None
    return _b64decode(cookie.split(".")[0].encode()).decode()


# Timeouts


def test_idle_timeout_ends_the_stored_session(
    clock: FakeClock, seen: list[events.SessionEvent]
) -> None:
    # The store keeps time of its own (as Redis does), so the record outlives the
    # timeout there: the interface refuses it, and deletes it.
    interface = ServerSideSessionInterface(
        MemoryStore(clock=FakeClock(START)), user_key="user_id", clock=clock
    )
    ada = browser(clock, interface, idle_timeout=IDLE)
    ada.request(login("ada"))
    stolen = f"session={ada.cookie()}"
    clock.advance(IDLE)
    assert ada.request(who).text == "'ada'"  # exactly IDLE: still valid, and renewed
    clock.advance(IDLE + 1)
    assert ada.request(who, cookie_header=stolen).text == "None"
    assert ada.request(who).text == "None"
    assert [e.reason for e in seen if e.name == "refused"] == ["idle_timeout", "unknown_session"]
    assert interface.sessions_of("ada") == []  # ended in the store, not only refused


def test_read_only_requests_touch_throttled_even_without_refresh(clock: FakeClock) -> None:
    interface = interface_for(clock, touch_interval=3600)
    ada = browser(clock, interface, idle_timeout=IDLE, refresh_each_request=False)
    ada.request(login("ada"))
    clock.advance(IDLE * 0.1 - 1)
    assert set_cookies(ada.request(who)) == []
    clock.advance(1)
    assert len(set_cookies(ada.request(who))) == 1  # a tenth of the timeout: touched
    for _ in range(5):
        clock.advance(IDLE - 1)
        assert ada.request(who).text == "'ada'"


def test_the_store_forgets_a_session_when_its_idle_timeout_would_end_it(
    clock: FakeClock,
) -> None:
    interface = interface_for(clock)
    ada = browser(clock, interface, idle_timeout=IDLE)
    ada.request(login("ada"))
    assert len(interface.sessions_of("ada")) == 1
    clock.advance(IDLE + 1)
    assert interface.sessions_of("ada") == []  # the record's TTL was the idle timeout


def test_absolute_timeout_ends_an_active_session(
    clock: FakeClock, seen: list[events.SessionEvent]
) -> None:
    interface = ServerSideSessionInterface(MemoryStore(clock=FakeClock(START)), clock=clock)
    ada = browser(clock, interface, idle_timeout=IDLE, absolute_timeout=ABSOLUTE)
    ada.request(login("ada"))
    while clock.now + IDLE - 60 <= START + ABSOLUTE:
        clock.advance(IDLE - 60)
        assert ada.request(who).text == "'ada'"
    clock.now = START + ABSOLUTE
    assert ada.request(who).text == "'ada'"
    clock.advance(1)
    sid = sid_of(ada)
    assert ada.request(who).text == "None"
    assert [e.reason for e in seen if e.name == "refused"] == ["absolute_timeout"]
    assert interface.store.get(sid) is None  # ended in the store too


def test_regenerate_restarts_the_absolute_clock(clock: FakeClock) -> None:
    interface = interface_for(clock, user_key=None)
    ada = browser(clock, interface, absolute_timeout=ABSOLUTE)
    ada.request(lambda s: s.__setitem__("cart", ["book"]))
    clock.advance(3600)
    ada.request(login("ada"))
    assert ada.request(lambda s: s["_created"]).text == str(START + 3600)
    clock.now = START + ABSOLUTE + 1
    assert ada.request(who).text == "'ada'"
    clock.now = START + 3600 + ABSOLUTE + 1
    assert ada.request(who).text == "None"


def test_no_creation_time_without_timeouts_or_index(clock: FakeClock) -> None:
    interface = interface_for(clock, user_key=None)
    ada = browser(clock, interface)
    ada.request(login("ada"))
    assert ada.request(lambda s: sorted(s)).text == "['user_id']"


# A user's sessions


def three_browsers(clock: FakeClock, interface: ServerSideSessionInterface) -> list[Browser]:
    browsers = [browser(clock, interface) for _ in range(3)]
    for each, user in zip(browsers, ["ada", "ada", "bob"], strict=True):
        each.request(login(user))
        clock.advance(10)
    return browsers


def test_sessions_of_lists_each_browser_of_a_user(clock: FakeClock) -> None:
    interface = interface_for(
        clock, session_metadata=lambda environ: {"host": environ.get("HTTP_HOST")}
    )
    first, second, bob = three_browsers(clock, interface)
    listed = interface.sessions_of("ada")
    assert [info.created for info in listed] == [
        datetime.fromtimestamp(START, UTC),
        datetime.fromtimestamp(START + 10, UTC),
    ]
    assert [info.metadata for info in listed] == [{"host": "localhost"}] * 2
    cookies = [each.cookie() or "" for each in (first, second, bob)]
    sids = [sid_of(each) for each in (first, second, bob)]
    for info in listed:
        assert all(sid not in info.handle for sid in sids)
        assert all(info.handle not in cookie for cookie in cookies)
        assert owner_of(info.handle) == "ada"
    assert len(interface.sessions_of("bob")) == 1
    assert interface.sessions_of("nobody") == []
    assert interface.sessions_of(None) == []
    assert first.request(lambda s: interface.handle_of(s)).text == repr(listed[0].handle)


def test_last_seen_follows_reads_within_the_touch_interval(clock: FakeClock) -> None:
    interface = interface_for(clock, touch_interval=60)
    ada = browser(clock, interface)
    ada.request(login("ada"))
    clock.advance(30)
    ada.request(who)
    assert interface.sessions_of("ada")[0].last_seen == datetime.fromtimestamp(START, UTC)
    clock.advance(30)
    ada.request(who)
    assert interface.sessions_of("ada")[0].last_seen == datetime.fromtimestamp(START + 60, UTC)


def test_revoke_keeping_the_current_session_ends_exactly_the_others(
    clock: FakeClock, seen: list[events.SessionEvent]
) -> None:
    interface = interface_for(clock)
    first, second, bob = three_browsers(clock, interface)
    response = first.request(lambda s: interface.revoke("ada", keep=s))
    assert response.text == "1"
    assert first.request(who).text == "'ada'"
    assert second.request(who).text == "None"
    assert bob.request(who).text == "'bob'"
    assert len(interface.sessions_of("ada")) == 1
    assert [(e.name, e.count) for e in seen if e.name == "revoked"] == [("revoked", 1)]
    assert interface.revoke("ada") == 1
    assert first.request(who).text == "None"
    assert interface.revoke(3.5) == 0  # not a user value


def test_revoke_keeping_a_handle(clock: FakeClock) -> None:
    interface = interface_for(clock)
    first, second, _ = three_browsers(clock, interface)
    keep = interface.sessions_of("ada")[1].handle
    assert interface.revoke("ada", keep=keep) == 1
    assert (first.request(who).text, second.request(who).text) == ("None", "'ada'")
    with pytest.raises(TypeError, match="keep must be a handle"):
        interface.revoke("ada", keep=42)


def test_revoke_handle_ends_one_session_of_its_owner_only(clock: FakeClock) -> None:
    interface = interface_for(clock)
    first, second, bob = three_browsers(clock, interface)
    handle = interface.sessions_of("ada")[0].handle
    assert interface.revoke_handle(handle, user="bob") is False  # bob cannot end ada's
    assert interface.revoke_handle("not a handle") is False
    assert interface.revoke_handle("!!!.x") is False
    assert interface.revoke_handle(handle, user="ada") is True
    assert interface.revoke_handle(handle) is False  # already ended
    assert (first.request(who).text, second.request(who).text) == ("None", "'ada'")
    assert bob.request(who).text == "'bob'"


def test_the_index_follows_logout_regenerate_and_user_changes(clock: FakeClock) -> None:
    interface = interface_for(clock)
    ada = browser(clock, interface)
    ada.request(login("ada"))
    before = interface.sessions_of("ada")[0].handle
    ada.request(lambda s: s.regenerate())
    (moved,) = interface.sessions_of("ada")
    assert moved.handle != before
    ada.request(lambda s: s.__setitem__("user_id", "ada2"))
    assert (len(interface.sessions_of("ada")), len(interface.sessions_of("ada2"))) == (0, 1)
    ada.request(lambda s: s.pop("user_id"))
    assert interface.sessions_of("ada2") == []
    ada.request(login("ada"))
    ada.request(lambda s: s.invalidate())
    assert interface.sessions_of("ada") == []


def test_integer_user_ids_are_indexed_by_their_digits(clock: FakeClock) -> None:
    interface = interface_for(clock)
    ada = browser(clock, interface)
    ada.request(lambda s: s.__setitem__("user_id", 42))
    assert len(interface.sessions_of(42)) == len(interface.sessions_of("42")) == 1


def test_an_in_flight_request_of_a_revoked_session_does_not_bring_it_back(
    clock: FakeClock,
) -> None:
    interface = interface_for(clock)
    first, second, _ = three_browsers(clock, interface)

    def revoked_meanwhile(session: Any) -> None:
        session.get("user_id")  # loaded before the revocation
        interface.revoke("ada", keep=interface.sessions_of("ada")[0].handle)
        session["cart"] = ["book"]  # then it writes
        session.regenerate()

    second.request(revoked_meanwhile)
    assert second.request(who).text == "None"
    assert len(interface.sessions_of("ada")) == 1
    assert first.request(who).text == "'ada'"


def test_a_touch_after_the_revocation_does_not_bring_it_back(clock: FakeClock) -> None:
    interface = interface_for(clock, touch_interval=0)
    first, second, _ = three_browsers(clock, interface)
    clock.advance(100)

    def revoked_meanwhile(session: Any) -> None:
        session.get("user_id")
        interface.revoke("ada")

    second.request(revoked_meanwhile)
    assert interface.sessions_of("ada") == []
    assert (first.request(who).text, second.request(who).text) == ("None", "None")


def test_metadata_that_is_too_big_or_not_json_is_dropped(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    big = interface_for(clock, session_metadata=lambda environ: {"x": "y" * 2000})
    browser(clock, big).request(login("ada"))
    assert big.sessions_of("ada")[0].metadata == {}
    odd = interface_for(clock, session_metadata=lambda environ: {"x": object()})
    browser(clock, odd).request(login("ada"))
    assert odd.sessions_of("ada")[0].metadata == {}
    assert "over 1024; it is dropped" in session_log.text
    assert "JSON cannot hold" in session_log.text


def test_a_corrupt_index_entry_lists_nothing(clock: FakeClock) -> None:
    interface = interface_for(clock)
    ada = browser(clock, interface)
    ada.request(login("ada"))
    sid = sid_of(ada)
    interface.store.user_index().put("ada", IndexEntry("ada.x", sid, "not json"), 100)
    assert len(interface.sessions_of("ada")) == 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"user_key": ""}, "user_key must be a non-empty str", id="empty"),
        pytest.param({"user_key": 3}, "user_key must be a non-empty str", id="int"),
        pytest.param({"session_metadata": "agent"}, "session_metadata must be a callable", id="m"),
    ],
)
def test_bad_index_settings_fail_when_built(
    clock: FakeClock, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(TypeError, match=message):
        interface_for(clock, **kwargs)


def test_no_index_without_user_key(clock: FakeClock) -> None:
    interface = interface_for(clock, user_key=None)
    for call in (
        lambda: interface.sessions_of("ada"),
        lambda: interface.revoke("ada"),
        lambda: interface.revoke_handle("x.y"),
    ):
        with pytest.raises(TypeError, match="user_key='user_id'"):
            call()


class FailingIndexStore(MemoryStore):
    """A MemoryStore whose user index fails: fault injection."""

    def user_index(self) -> Any:
        raise StoreError("the index is down")


def test_an_index_failure_follows_on_store_error(
    clock: FakeClock, seen: list[events.SessionEvent], session_log: pytest.LogCaptureFixture
) -> None:
    store = FailingIndexStore(clock=clock)
    interface = ServerSideSessionInterface(
        store, user_key="user_id", on_store_error="null", clock=clock
    )
    ada = browser(clock, interface)
    response = ada.request(login("ada"))
    assert response.status_code == 200
    assert ada.request(who).text == "'ada'"  # the session itself was saved
    assert "its user index entry was not" in session_log.text
    assert ("store_error", "the index is down") in [(e.name, e.reason) for e in seen]
    raising = ServerSideSessionInterface(store, user_key="user_id", clock=clock)
    with pytest.raises(StoreError):
        browser(clock, raising).request(login("bob"))


def test_a_failure_to_end_a_timed_out_session_follows_on_store_error(clock: FakeClock) -> None:
    store = MemoryStore(clock=FakeClock(START))
    interface = ServerSideSessionInterface(store, on_store_error="null", clock=clock)
    ada = browser(clock, interface, idle_timeout=IDLE)
    ada.request(lambda s: s.__setitem__("user_id", "ada"))
    clock.advance(IDLE + 1)

    def fail_delete(sid: str) -> None:
        raise StoreError("delete failed")

    store.delete = fail_delete  # type: ignore[method-assign]
    response = ada.request(lambda s: (s.get("user_id"), type(s.loaded).__name__))
    assert response.text == "(None, 'StoreUnavailableSession')"


def test_events_of_server_side_sessions(
    clock: FakeClock, seen: list[events.SessionEvent], caplog: pytest.LogCaptureFixture
) -> None:
    interface = interface_for(clock)
    ada = browser(clock, interface)
    with caplog.at_level(logging.DEBUG, logger="sessionware.events"):
        ada.request(lambda s: s.__setitem__("user_id", "ada"))
        ada.request(lambda s: s.regenerate())
        ada.request(lambda s: (s.invalidate(), s.__setitem__("user_id", "bob")))
    assert [e.name for e in seen] == ["created", "regenerated", "created"]
    cookie = ada.cookie()
    assert cookie is not None
    assert all(cookie.split(".")[0] not in r.getMessage() for r in caplog.records)


class RacingStore(MemoryStore):
    """A real MemoryStore that runs ``after_move`` right after regenerate's atomic move:
    fault injection for the moment between the move and the user index update."""

    after_move: Any = None

    def move(self, sid: str, new_sid: str, data: str, ttl: int, version: int) -> int | None:
        moved = super().move(sid, new_sid, data, ttl, version)
        if self.after_move is not None:
            hook, self.after_move = self.after_move, None
            hook()
        return moved


def test_a_revocation_between_regenerate_and_the_index_update_ends_the_new_id(
    clock: FakeClock,
) -> None:
    store = RacingStore(clock=clock)
    interface = ServerSideSessionInterface(store, user_key="user_id", clock=clock)
    phone, laptop = browser(clock, interface), browser(clock, interface)
    phone.request(login("ada"))
    laptop.request(login("ada"))
    keep = phone.request(lambda s: interface.handle_of(s)).text.strip("'")
    store.after_move = lambda: interface.revoke("ada", keep=keep)
    laptop.request(lambda s: s.regenerate())  # the move lands, then the revocation runs
    assert laptop.request(who).text == "None"
    assert phone.request(who).text == "'ada'"
    assert [info.handle for info in interface.sessions_of("ada")] == [keep]
