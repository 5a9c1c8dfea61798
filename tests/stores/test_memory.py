"""MemoryStore: the conformance suite, plus its size bound and fork warning."""

from __future__ import annotations

import logging
import os

import pytest

from sessionware.stores import MemoryStore, Store
from tests.conftest import FakeClock
from tests.stores.contract import StoreContract


class TestMemoryStore(StoreContract):
    @pytest.fixture
    def store(self, clock: FakeClock) -> Store:
        return MemoryStore(clock=clock)

    def expire(self, store: Store, sid: str) -> None:
        assert isinstance(store, MemoryStore)
        data, version, _ = store._records[sid]
        store._records[sid] = (data, version, store.clock())

    def ttl_of(self, store: Store, sid: str) -> float:
        assert isinstance(store, MemoryStore)
        return store._records[sid][2] - store.clock()


def test_records_expire_with_the_clock(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    store.set("s1", "one", 100, None)
    clock.advance(99)
    assert store.get("s1") is not None
    clock.advance(1)
    assert store.get("s1") is None


def test_cleanup_deletes_only_expired_records(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    store.set("old1", "x", 10, None)
    store.set("old2", "x", 10, None)
    store.set("live", "x", 1000, None)
    clock.advance(10)
    assert store.cleanup() == 2
    assert len(store) == 1
    assert store.get("live") is not None


def test_size_bound_drops_expired_then_least_recently_used(clock: FakeClock) -> None:
    store = MemoryStore(max_entries=3, clock=clock)
    store.set("expired", "x", 10, None)
    store.set("a", "x", 1000, None)
    store.set("b", "x", 1000, None)
    clock.advance(10)
    store.set("c", "x", 1000, None)  # room made by dropping the expired record
    assert {sid for sid in ("a", "b", "c") if store.get(sid)} == {"a", "b", "c"}
    store.get("a")  # b is now the least recently used
    store.set("d", "x", 1000, None)
    assert store.get("b") is None
    assert all(store.get(sid) for sid in ("a", "c", "d"))
    assert len(store) == 3
    assert repr(store) == "<MemoryStore 3 of 3 entries>"


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "10"])
def test_max_entries_is_validated(bad: object) -> None:
    with pytest.raises(ValueError, match="max_entries must be a positive int"):
        MemoryStore(max_entries=bad)  # type: ignore[arg-type]


def test_warns_once_when_used_in_a_forked_process(
    session_log: pytest.LogCaptureFixture,
) -> None:
    store = MemoryStore()
    store._pid = os.getpid() + 1  # as if created in the parent before a fork
    store.get("s1")
    store.get("s1")
    warnings = [r for r in session_log.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "forked worker process" in warnings[0].getMessage()
