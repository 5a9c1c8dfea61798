"""The store conformance suite: every store's tests subclass :class:`StoreContract`.

A subclass provides the ``store`` fixture and two hooks that reach behind the
contract: :meth:`StoreContract.expire` (make a record's TTL run out now) and
:meth:`StoreContract.ttl_of` (seconds a record has left). Third-party stores can
reuse it the same way.
"""

from __future__ import annotations

import threading

import pytest

from sessionware.stores import Store, StoreRecord

TTL = 3600


class StoreContract:
    """Behaviour every :class:`~sessionware.stores.Store` must have."""

    @pytest.fixture
    def store(self) -> Store:
        raise NotImplementedError("subclasses provide the store fixture")

    def expire(self, store: Store, sid: str) -> None:
        """Make the record of ``sid`` expire now, without deleting it through the store."""
        raise NotImplementedError

    def ttl_of(self, store: Store, sid: str) -> float:
        """Seconds until the record of ``sid`` expires."""
        raise NotImplementedError

    def test_unknown_id_has_no_record(self, store: Store) -> None:
        assert store.get("no-such-session") is None

    def test_created_record_reads_back(self, store: Store) -> None:
        version = store.set("s1", '{"a":1}', TTL, None)
        assert version is not None
        assert store.get("s1") == StoreRecord('{"a":1}', version)

    def test_create_refused_when_the_id_exists(self, store: Store) -> None:
        version = store.set("s1", '{"a":1}', TTL, None)
        assert store.set("s1", '{"b":2}', TTL, None) is None
        assert store.get("s1") == StoreRecord('{"a":1}', version)  # type: ignore[arg-type]

    def test_replace_at_the_current_version(self, store: Store) -> None:
        first = store.set("s1", "one", TTL, None)
        second = store.set("s1", "two", TTL, first)
        assert second is not None
        assert second != first
        assert store.get("s1") == StoreRecord("two", second)

    def test_replace_at_a_stale_version_writes_nothing(self, store: Store) -> None:
        first = store.set("s1", "one", TTL, None)
        second = store.set("s1", "two", TTL, first)
        assert store.set("s1", "stale", TTL, first) is None
        assert store.get("s1") == StoreRecord("two", second)  # type: ignore[arg-type]

    def test_replace_of_a_missing_record_writes_nothing(self, store: Store) -> None:
        assert store.set("ghost", "data", TTL, 1) is None
        assert store.get("ghost") is None

    def test_delete(self, store: Store) -> None:
        store.set("s1", "one", TTL, None)
        store.set("s2", "two", TTL, None)
        store.delete("s1")
        store.delete("never-existed")
        assert store.get("s1") is None
        assert store.get("s2") is not None

    def test_deleted_record_cannot_be_replaced(self, store: Store) -> None:
        version = store.set("s1", "one", TTL, None)
        store.delete("s1")
        assert store.set("s1", "resurrected", TTL, version) is None
        assert store.get("s1") is None

    def test_write_sets_the_ttl(self, store: Store) -> None:
        version = store.set("s1", "one", 100, None)
        assert 98 <= self.ttl_of(store, "s1") <= 100
        store.set("s1", "two", 5000, version)
        assert 4998 <= self.ttl_of(store, "s1") <= 5000

    def test_touch_extends_the_ttl_keeping_data_and_version(self, store: Store) -> None:
        version = store.set("s1", "one", 100, None)
        assert store.touch("s1", 5000) is True
        assert 4998 <= self.ttl_of(store, "s1") <= 5000
        assert store.get("s1") == StoreRecord("one", version)  # type: ignore[arg-type]
        assert store.set("s1", "two", TTL, version) is not None

    def test_touch_of_a_missing_record(self, store: Store) -> None:
        assert store.touch("ghost", TTL) is False
        assert store.get("ghost") is None

    def test_expired_record_is_gone(self, store: Store) -> None:
        version = store.set("s1", "one", TTL, None)
        store.set("s2", "two", TTL, None)
        self.expire(store, "s1")
        assert store.get("s1") is None
        assert store.set("s1", "late", TTL, version) is None
        assert store.touch("s1", TTL) is False
        assert store.get("s2") is not None
        store.cleanup()
        assert store.get("s2") is not None
        assert store.set("s1", "again", TTL, None) is not None

    def test_cleanup_keeps_live_records(self, store: Store) -> None:
        store.set("s1", "one", TTL, None)
        assert store.cleanup() == 0
        assert store.get("s1") is not None

    @pytest.mark.parametrize(
        "data",
        [
            pytest.param('{"name":"Zo\\u00eb \\ud83d\\ude00"}', id="json-escapes"),
            pytest.param('{"name":"Zoë 😀 ü"}', id="raw-unicode"),
            pytest.param('{"blob":"' + "x" * 200_000 + '"}', id="200KB"),
        ],
    )
    def test_data_round_trips_exactly(self, store: Store, data: str) -> None:
        version = store.set("s1", data, TTL, None)
        assert store.get("s1") == StoreRecord(data, version)  # type: ignore[arg-type]

    def test_move_at_the_current_version(self, store: Store) -> None:
        first = store.set("old", "one", TTL, None)
        moved = store.move("old", "new", "two", 100, first)  # type: ignore[arg-type]
        assert moved is not None
        assert store.get("old") is None
        assert store.get("new") == StoreRecord("two", moved)
        assert 98 <= self.ttl_of(store, "new") <= 100
        assert store.set("new", "three", TTL, moved) is not None
        assert store.set("old", "resurrected", TTL, first) is None
        assert store.get("old") is None

    def test_move_at_a_stale_version_writes_nothing(self, store: Store) -> None:
        first = store.set("old", "one", TTL, None)
        second = store.set("old", "two", TTL, first)
        assert store.move("old", "new", "moved", TTL, first) is None  # type: ignore[arg-type]
        assert store.get("old") == StoreRecord("two", second)  # type: ignore[arg-type]
        assert store.get("new") is None

    def test_move_of_a_deleted_record_does_not_resurrect_it(self, store: Store) -> None:
        version = store.set("old", "one", TTL, None)
        store.delete("old")
        assert store.move("old", "new", "one", TTL, version) is None  # type: ignore[arg-type]
        assert store.get("new") is None
        assert store.get("old") is None

    def test_move_of_an_expired_record_writes_nothing(self, store: Store) -> None:
        version = store.set("old", "one", TTL, None)
        self.expire(store, "old")
        assert store.move("old", "new", "one", TTL, version) is None  # type: ignore[arg-type]
        assert store.get("new") is None

    def test_move_onto_a_live_id_writes_nothing(self, store: Store) -> None:
        old = store.set("old", "one", TTL, None)
        taken = store.set("new", "theirs", TTL, None)
        assert store.move("old", "new", "mine", TTL, old) is None  # type: ignore[arg-type]
        assert store.get("old") == StoreRecord("one", old)  # type: ignore[arg-type]
        assert store.get("new") == StoreRecord("theirs", taken)  # type: ignore[arg-type]

    def test_concurrent_compare_and_set_loses_no_increment(self, store: Store) -> None:
        store.set("counter", "0", TTL, None)
        threads, rounds = 6, 15
        barrier = threading.Barrier(threads)
        errors: list[BaseException] = []

        def increment() -> None:
            try:
                barrier.wait(timeout=10)
                for _ in range(rounds):
                    while True:
                        record = store.get("counter")
                        assert record is not None
                        new = str(int(record.data) + 1)
                        if store.set("counter", new, TTL, record.version) is not None:
                            break
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

        workers = [threading.Thread(target=increment) for _ in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert not errors
        record = store.get("counter")
        assert record is not None
        assert int(record.data) == threads * rounds
