"""Interleaved requests of one session: versioned saves re-apply each request's changes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sessionware import (
    MemoryStore,
    ServerSideSession,
    ServerSideSessionInterface,
    SessionConfig,
    StoreError,
)
from sessionware.stores import StoreRecord

from .conftest import SECRET, FakeClock

CONFIG = SessionConfig(secret_key=SECRET)


class LastWriterWinsStore(MemoryStore):
    """What Beaker, Flask-Session and Django do: every write replaces the record."""

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        current = self.get(sid)
        return super().set(sid, data, ttl, None if current is None else current.version)


class Requests:
    """Opens and saves sessions by hand, so a test can interleave two requests."""

    def __init__(self, clock: FakeClock, store: MemoryStore | None = None, **kwargs: Any) -> None:
        self.store = store if store is not None else MemoryStore(clock=clock)
        self.interface = ServerSideSessionInterface(self.store, clock=clock, **kwargs)
        self.cookie: str | None = None

    def open(self) -> ServerSideSession:
        environ = {"HTTP_COOKIE": f"session={self.cookie}"} if self.cookie else {}
        session = self.interface.open_session(CONFIG, environ)
        assert isinstance(session, ServerSideSession)
        return session

    def save(self, session: ServerSideSession) -> list[tuple[str, str]]:
        headers: list[tuple[str, str]] = []
        self.interface.save_session(CONFIG, session, headers)
        for name, value in headers:
            if name == "Set-Cookie":
                self.cookie = value.split(";")[0].removeprefix("session=") or None
        return headers

    def data(self) -> dict[str, Any]:
        session = self.open()
        assert session.sid is not None
        record = self.store.get(session.sid)
        assert record is not None
        result: dict[str, Any] = json.loads(record.data)
        return result

    def start(self, **data: Any) -> None:
        session = self.open()
        session.update(data)
        self.save(session)


def test_changes_to_different_keys_both_survive(clock: FakeClock, session_log: Any) -> None:
    requests = Requests(clock)
    requests.start(user="bob", cart=[1])
    first, second = requests.open(), requests.open()
    first["theme"] = "dark"
    second["cart"] = [1, 2]
    del second["user"]
    requests.save(first)
    requests.save(second)
    assert requests.data() == {"theme": "dark", "cart": [1, 2]}
    assert "later save wins" not in session_log.text


def test_the_same_scenario_loses_an_update_when_the_last_writer_wins(clock: FakeClock) -> None:
    requests = Requests(clock, LastWriterWinsStore(clock=clock))
    requests.start(user="bob")
    first, second = requests.open(), requests.open()
    first["theme"] = "dark"
    second["cart"] = [1, 2]
    requests.save(first)
    requests.save(second)
    assert requests.data() == {"user": "bob", "cart": [1, 2]}  # theme is lost


def test_in_place_changes_and_pops_are_re_applied_too(clock: FakeClock) -> None:
    requests = Requests(clock)
    requests.start(cart=[1], seen={"a": 1}, flash="hi", keep=1)
    first, second = requests.open(), requests.open()
    first["cart"].append(2)
    first.pop("flash")
    first.setdefault("visits", 1)
    second["seen"]["b"] = 2
    second.update({"x": 1}, y=2)
    requests.save(first)
    requests.save(second)
    assert requests.data() == {
        "cart": [1, 2],
        "seen": {"a": 1, "b": 2},
        "keep": 1,
        "visits": 1,
        "x": 1,
        "y": 2,
    }


def test_clear_and_popitem_are_own_changes(clock: FakeClock) -> None:
    requests = Requests(clock)
    requests.start(a=1, b=2)
    first, second = requests.open(), requests.open()
    first.clear()
    second["c"] = 3
    requests.save(first)
    requests.save(second)
    assert requests.data() == {"c": 3}
    first, second = requests.open(), requests.open()
    assert first.popitem() == ("c", 3)
    second["d"] = 4
    requests.save(first)
    requests.save(second)
    assert requests.data() == {"d": 4}


def test_a_change_made_by_setting_modified_by_hand_is_found(clock: FakeClock) -> None:
    requests = Requests(clock)
    requests.start(prefs={"a": 1})
    first, second = requests.open(), requests.open()
    first.data["prefs"]["a"] = 2  # untracked: the app sets modified itself
    first.modified = True
    second["other"] = 1
    requests.save(first)
    requests.save(second)
    assert requests.data() == {"prefs": {"a": 2}, "other": 1}


def test_a_true_conflict_on_one_key_is_last_writer_wins_and_logged(
    clock: FakeClock, session_log: Any
) -> None:
    requests = Requests(clock)
    requests.start(counter=0)
    first, second = requests.open(), requests.open()
    first["counter"] = 1
    second["counter"] = 5
    second["other"] = True
    requests.save(first)
    requests.save(second)
    assert requests.data() == {"counter": 5, "other": True}
    assert "Concurrent requests changed session keys ['counter']" in session_log.text


def test_the_session_seen_after_a_merge_is_the_merged_one(clock: FakeClock) -> None:
    requests = Requests(clock)
    requests.start(a=1)
    first, second = requests.open(), requests.open()
    first["b"] = 2
    second["c"] = 3
    requests.save(first)
    requests.save(second)
    assert dict(second) == {"a": 1, "b": 2, "c": 3}
    second["d"] = 4  # e.g. while the body streams
    requests.interface.close_session(CONFIG, second)
    assert requests.data() == {"a": 1, "b": 2, "c": 3, "d": 4}


def test_changes_to_a_session_ended_meanwhile_are_dropped_not_resurrected(
    clock: FakeClock, session_log: Any
) -> None:
    requests = Requests(clock)
    requests.start(user="bob")
    cookie = requests.cookie
    logout, slow = requests.open(), requests.open()
    logout.invalidate()
    requests.save(logout)
    slow["cart"] = [1]
    headers = requests.save(slow)
    assert len(requests.store) == 0
    assert [name for name, _ in headers] == ["Vary"]  # no cookie overwrites the logout
    assert "changes to keys ['cart'] are dropped" in session_log.text
    requests.cookie = cookie
    assert dict(requests.open()) == {}


def test_a_concurrent_regenerate_is_not_undone(clock: FakeClock) -> None:
    requests = Requests(clock)
    requests.start(cart=[1])
    login, other = requests.open(), requests.open()
    login["user"] = "bob"
    login.regenerate()
    requests.save(login)
    new_cookie = requests.cookie
    other["theme"] = "dark"
    requests.save(other)
    assert requests.cookie == new_cookie
    assert len(requests.store) == 1
    assert requests.data() == {"cart": [1], "user": "bob"}


def test_regenerate_takes_in_changes_saved_meanwhile(clock: FakeClock) -> None:
    requests = Requests(clock)
    requests.start(cart=[1])
    login, other = requests.open(), requests.open()
    other["theme"] = "dark"
    requests.save(other)
    login["user"] = "bob"
    login.regenerate()
    requests.save(login)
    assert len(requests.store) == 1
    assert requests.data() == {"cart": [1], "theme": "dark", "user": "bob"}


class AlwaysRacingStore(MemoryStore):
    """Another writer always saves first."""

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        if version is None:
            return super().set(sid, data, ttl, None)
        record = super().get(sid)
        assert record is not None
        super().set(sid, record.data, ttl, record.version)
        return None


def test_a_save_that_keeps_losing_gives_up_after_max_retries(clock: FakeClock) -> None:
    requests = Requests(clock, AlwaysRacingStore(clock=clock), max_retries=3)
    requests.start(a=1)
    session = requests.open()
    session["b"] = 2
    with pytest.raises(StoreError, match="saved concurrently 4 times in a row"):
        requests.save(session)


class CollidingStore(MemoryStore):
    """Refuses every new record, as if each fresh ID were taken."""

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        return None


def test_creating_gives_up_when_no_fresh_id_is_accepted(clock: FakeClock) -> None:
    requests = Requests(clock, CollidingStore(clock=clock))
    session = requests.open()
    session["a"] = 1
    with pytest.raises(StoreError, match="three fresh session IDs"):
        requests.save(session)


def test_an_id_collision_is_retried_under_another_id(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    requests = Requests(clock, store)
    ids = iter(["A" * 43, "A" * 43, "B" * 43])
    requests.interface.new_sid = lambda: next(ids)  # type: ignore[method-assign]
    requests.start(first=1)
    requests.cookie = None
    requests.start(second=2)
    assert store.get("A" * 43) == StoreRecord('{"first":1}', 1)
    assert store.get("B" * 43) is not None
