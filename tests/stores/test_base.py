"""A store that implements only the four required methods still passes the contract.

Store.move then falls back to get, set and delete (not atomic, as documented).
"""

from __future__ import annotations

import threading

import pytest

from sessionware.stores import Store, StoreRecord
from tests.conftest import FakeClock
from tests.stores.contract import StoreContract


class DictStore(Store):
    """The least a third-party store writes: a dict, a lock and the four methods."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.records: dict[str, tuple[str, int, float]] = {}
        self.lock = threading.Lock()
        self.versions = 0

    def _live(self, sid: str) -> tuple[str, int, float] | None:
        record = self.records.get(sid)
        return record if record is not None and record[2] > self.clock() else None

    def get(self, sid: str) -> StoreRecord | None:
        with self.lock:
            record = self._live(sid)
        return None if record is None else StoreRecord(record[0], record[1])

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        with self.lock:
            record = self._live(sid)
            if (None if record is None else record[1]) != version:
                return None
            self.versions += 1
            self.records[sid] = (data, self.versions, self.clock() + ttl)
            return self.versions

    def touch(self, sid: str, ttl: int) -> bool:
        with self.lock:
            record = self._live(sid)
            if record is not None:
                self.records[sid] = (record[0], record[1], self.clock() + ttl)
            return record is not None

    def delete(self, sid: str) -> None:
        with self.lock:
            self.records.pop(sid, None)


class TestMinimalStore(StoreContract):
    @pytest.fixture
    def store(self, clock: FakeClock) -> Store:
        return DictStore(clock)

    def expire(self, store: Store, sid: str) -> None:
        assert isinstance(store, DictStore)
        data, version, _ = store.records[sid]
        store.records[sid] = (data, version, store.clock())

    def ttl_of(self, store: Store, sid: str) -> float:
        assert isinstance(store, DictStore)
        return store.records[sid][2] - store.clock()
