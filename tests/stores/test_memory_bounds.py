"""MemoryStore's bounds: eviction costs the same at any size, and bytes are bounded too."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import pytest

from sessionware import ServerSideSessionInterface, SessionConfig
from sessionware.stores import MemoryStore, StoreError
from tests.conftest import SECRET, FakeClock


class VisitCountingDict(OrderedDict[str, Any]):
    """An OrderedDict that counts the records any iteration over it visits."""

    visited = 0

    def _counting(self, iterator: Iterator[Any]) -> Iterator[Any]:
        for item in iterator:
            type(self).visited += 1
            yield item

    def __iter__(self) -> Iterator[str]:
        return self._counting(super().__iter__())

    def items(self) -> Any:
        return self._counting(iter(super().items()))

    def values(self) -> Any:
        return self._counting(iter(super().values()))


def test_making_room_never_walks_every_record(clock: FakeClock) -> None:
    store = MemoryStore(max_entries=1000, clock=clock)
    store._records = VisitCountingDict()
    for n in range(1000):
        store.set(f"user-{n}", "{}", 3600, None)
    VisitCountingDict.visited = 0
    for n in range(500):  # an attacker spraying new sessions
        store.set(f"spray-{n}", "{}", 3600, None)
    # Each new session looks at the oldest record or two, never at all 1000.
    assert VisitCountingDict.visited <= 2 * 500
    assert len(store) == 1000
    assert store.get("user-499") is None  # the least recently used went first
    assert store.get("user-500") is not None


def test_expired_records_at_the_old_end_go_before_live_ones(clock: FakeClock) -> None:
    store = MemoryStore(max_entries=3, clock=clock)
    store.set("old1", "x", 10, None)
    store.set("old2", "x", 10, None)
    store.set("live", "x", 1000, None)
    clock.advance(10)
    store.set("new", "x", 1000, None)
    assert store.get("live") is not None
    assert len(store) == 2  # both expired records were dropped, the live one kept


def test_bytes_held_are_bounded(clock: FakeClock) -> None:
    store = MemoryStore(max_bytes=100, clock=clock)
    data = "x" * 30  # 30 bytes of data plus a 2-byte ID
    for sid in ("s1", "s2", "s3"):
        store.set(sid, data, 3600, None)
    assert store.bytes_held == 96
    store.set("s4", data, 3600, None)
    assert store.get("s1") is None
    assert store.bytes_held == 96
    version = store.get("s2")
    assert version is not None
    store.set("s2", "é" * 20, 3600, version.version)  # 40 bytes in UTF-8
    assert store.bytes_held == 32 + 42  # s3, now the least recently used, made room
    store.delete("s2")
    store.cleanup()
    assert store.bytes_held == 32


def test_a_record_larger_than_the_bound_is_refused(clock: FakeClock) -> None:
    store = MemoryStore(max_bytes=100, clock=clock)
    store.set("s1", "x" * 10, 3600, None)
    with pytest.raises(StoreError, match="max_bytes"):
        store.set("s2", "x" * 99, 3600, None)
    assert store.get("s1") is not None


def test_a_session_too_big_for_the_store_fails_its_request_with_a_store_error(
    clock: FakeClock,
) -> None:
    store = MemoryStore(max_bytes=1000, clock=clock)
    interface = ServerSideSessionInterface(store, clock=clock)
    config = SessionConfig(secret_key=SECRET)
    session = interface.open_session(config, {})
    assert session is not None
    session["blob"] = "x" * 2000
    with pytest.raises(StoreError, match="max_bytes"):
        interface.save_session(config, session, [])


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "10"])
def test_max_bytes_is_validated(bad: object) -> None:
    with pytest.raises(ValueError, match="max_bytes must be a positive int"):
        MemoryStore(max_bytes=bad)  # type: ignore[arg-type]
