"""Corrupt records and misbehaving servers: a StoreError or a fresh session, nothing else.

The faults are injected into a real Redis key and a real SQLite row, behind the
store's back, after a real request stored the session.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sessionware import ServerSideSessionInterface, StoreError
from sessionware.stores import CorruptRecord, Store
from sessionware.stores.redis import RedisStore
from sessionware.stores.sql import SQLStore

from ._apps import Browser
from .conftest import FakeClock


def logged_in(clock: FakeClock, store: Store) -> Browser:
    interface = ServerSideSessionInterface(store, clock=clock)  # on_store_error="raise"
    browser = Browser(clock, interface=interface)
    browser.request(lambda s: s.__setitem__("user", "ada"))
    return browser


def only_key(store: RedisStore) -> str:
    (key,) = store.client.scan_iter(match=store.prefix + "*")
    return str(key.decode())


REDIS_FAULTS: list[Any] = [
    pytest.param(lambda c, k: c.hset(k, "d", b"\xff\xfe{}"), id="data-not-utf8"),
    pytest.param(lambda c, k: c.hset(k, "v", b"seven"), id="version-not-an-integer"),
    pytest.param(lambda c, k: (c.delete(k), c.set(k, b"{}")), id="not-a-hash"),
]


@pytest.mark.parametrize("fault", REDIS_FAULTS)
def test_a_corrupt_redis_record_is_a_fresh_session_and_a_log_line(
    clock: FakeClock,
    redis_store: RedisStore,
    session_log: pytest.LogCaptureFixture,
    fault: Callable[[Any, str], object],
) -> None:
    browser = logged_in(clock, redis_store)
    key = only_key(redis_store)
    fault(redis_store.client, key)
    with pytest.raises(CorruptRecord) as caught:
        redis_store.get(key.removeprefix(redis_store.prefix))
    assert isinstance(caught.value, StoreError)
    assert browser.request(lambda s: dict(s)).text == "{}"
    refusals = [r for r in session_log.records if "corrupt" in r.getMessage()]
    assert len(refusals) == 1
    assert key.removeprefix(redis_store.prefix) not in session_log.text
    # The next write starts a new session under a new ID.
    browser.request(lambda s: s.__setitem__("user", "ada"))
    assert browser.request(lambda s: dict(s)).text == "{'user': 'ada'}"


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param(b"garbage", id="not-two-fields"),
        pytest.param(None, id="nothing"),
        pytest.param([object(), b"1"], id="data-of-another-type"),
    ],
)
def test_a_misbehaving_redis_answer_is_a_store_error(
    redis_store: RedisStore, monkeypatch: pytest.MonkeyPatch, reply: object
) -> None:
    monkeypatch.setattr(redis_store.client, "hmget", lambda *args: reply)
    with pytest.raises(StoreError):
        redis_store.get("s1")


def test_a_misbehaving_script_answer_is_a_store_error(
    redis_store: RedisStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_store, "_set", lambda **kwargs: b"not a version")
    with pytest.raises(StoreError):
        redis_store.set("s1", "{}", 10, None)


SQL_FAULTS: list[Any] = [
    pytest.param("data = CAST(X'FFFE7B7D' AS TEXT)", id="data-not-utf8"),
    pytest.param("version = 'seven'", id="version-not-an-integer"),
    pytest.param("version = 1.5", id="version-a-float"),
]


@pytest.mark.parametrize("fault", SQL_FAULTS)
def test_a_corrupt_sql_row_is_a_fresh_session_and_a_log_line(
    clock: FakeClock, tmp_path: Path, session_log: pytest.LogCaptureFixture, fault: str
) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 's.db'}", clock=clock)
    browser = logged_in(clock, store)
    with store.engine.begin() as conn:
        (sid,) = conn.execute(sa.select(store.table.c.id)).scalars()
        conn.exec_driver_sql(f"UPDATE {store.table.name} SET {fault}")  # noqa: S608 - fixed faults
    with pytest.raises(CorruptRecord):
        store.get(sid)
    assert browser.request(lambda s: dict(s)).text == "{}"
    refusals = [r for r in session_log.records if "corrupt" in r.getMessage()]
    assert len(refusals) == 1
    assert sid not in session_log.text
    store.close()
