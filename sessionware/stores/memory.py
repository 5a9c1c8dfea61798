"""A store in this process's memory, for development and tests."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING

from .base import Store, StoreError, StoreRecord

if TYPE_CHECKING:
    from ._users import UserIndex

__all__ = ["MemoryStore"]

logger = logging.getLogger("sessionware")


class MemoryStore(Store):
    """Keeps sessions in a dict guarded by a lock: thread-safe, with TTLs and a size bound.

    Records live in one process only. Under a server with several worker processes
    each worker has its own sessions and users appear to be logged out at random, so
    the store logs a warning when it finds itself in a forked worker (and the
    interface does when ``wsgi.multiprocess`` is set). Use
    :class:`~sessionware.stores.redis.RedisStore` or
    :class:`~sessionware.stores.sql.SQLStore` in production.

    Making room costs the same however many records are held: records are kept in
    least-recently-used order and dropped from the old end (expired ones first, as
    they reach it; :meth:`cleanup` drops the rest), so spraying new sessions cannot
    make each write slower.

    :param max_entries: the most sessions kept; beyond it the least recently used
        ones are dropped (their users are logged out).
    :param max_bytes: the most bytes of IDs and data (UTF-8) held; beyond it the least
        recently used records are dropped too. A single record larger than this is
        refused with :class:`~sessionware.stores.StoreError`.
    :param clock: returns the current Unix time; tests pass a fake clock.
    """

    process_local = True

    def _new_user_index(self) -> UserIndex:
        from .memory_users import MemoryUserIndex

        return MemoryUserIndex(self)

    def __init__(
        self,
        *,
        max_entries: int = 10_000,
        max_bytes: int = 64 * 1024 * 1024,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ValueError(f"max_entries must be a positive int, got {max_entries!r}.")
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise ValueError(
                f"max_bytes must be a positive int (bytes of session data held), got {max_bytes!r}."
            )
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._bytes = 0
        self.clock: Callable[[], float] = clock or time.time
        self._records: OrderedDict[str, tuple[str, int, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._versions = 0
        self._pid = os.getpid()

    def __repr__(self) -> str:
        return f"<MemoryStore {len(self._records)} of {self.max_entries} entries>"

    def __len__(self) -> int:
        return len(self._records)

    @property
    def bytes_held(self) -> int:
        """Bytes of IDs and data (UTF-8) the store holds now."""
        return self._bytes

    def _drop(self, sid: str) -> None:
        """Forget ``sid``'s record; call with the lock held."""
        record = self._records.pop(sid, None)
        if record is not None:
            self._bytes -= _size(sid, record[0])

    def _live(self, sid: str, now: float) -> tuple[str, int, float] | None:
        """The unexpired record of ``sid``; call with the lock held."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            logger.warning(
                "MemoryStore is used in a forked worker process (pid %d): each process "
                "keeps its own sessions, so users lose them when their requests reach "
                "another worker. Use RedisStore or SQLStore with several workers.",
                self._pid,
            )
        record = self._records.get(sid)
        if record is None:
            return None
        if record[2] <= now:
            self._drop(sid)
            return None
        self._records.move_to_end(sid)
        return record

    def get(self, sid: str) -> StoreRecord | None:
        """Return the record of ``sid``, or ``None``."""
        with self._lock:
            record = self._live(sid, self.clock())
        return None if record is None else StoreRecord(record[0], record[1])

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        """Compare-and-set the record of ``sid`` (see :meth:`Store.set`)."""
        with self._lock:
            now = self.clock()
            record = self._live(sid, now)
            current = None if record is None else record[1]
            if current != version:
                return None
            return self._put(sid, data, ttl, now)

    def move(self, sid: str, new_sid: str, data: str, ttl: int, version: int) -> int | None:
        """Move the record of ``sid`` to ``new_sid``, atomically (see :meth:`Store.move`)."""
        with self._lock:
            now = self.clock()
            record = self._live(sid, now)
            if record is None or record[1] != version or self._live(new_sid, now) is not None:
                return None
            new_version = self._put(new_sid, data, ttl, now)
            self._drop(sid)
            return new_version

    def _put(self, sid: str, data: str, ttl: int, now: float) -> int:
        """Write the record of ``sid``; call with the lock held."""
        size = _size(sid, data)
        if size > self.max_bytes:
            raise StoreError(
                f"a session of {size} bytes is larger than MemoryStore's "
                f"max_bytes={self.max_bytes}; store less in it or raise max_bytes"
            )
        self._drop(sid)
        self._make_room(now, size)
        self._versions += 1
        self._records[sid] = (data, self._versions, now + ttl)
        self._bytes += size
        return self._versions

    def _make_room(self, now: float, size: int) -> None:
        """Drop records from the old end until one more of ``size`` bytes fits.

        Each record is dropped at most once, so this is O(1) amortized per write.
        """
        records = self._records
        while records:
            oldest = next(iter(records))  # the least recently used
            if not (
                records[oldest][2] <= now
                or len(records) >= self.max_entries
                or self._bytes + size > self.max_bytes
            ):
                return
            self._drop(oldest)

    def touch(self, sid: str, ttl: int) -> bool:
        """Extend the expiry of ``sid``'s record, keeping its data and version."""
        with self._lock:
            now = self.clock()
            record = self._live(sid, now)
            if record is None:
                return False
            self._records[sid] = (record[0], record[1], now + ttl)
            return True

    def delete(self, sid: str) -> None:
        """Remove the record of ``sid``."""
        with self._lock:
            self._drop(sid)

    def cleanup(self) -> int:
        """Drop expired records and return how many there were."""
        with self._lock:
            now = self.clock()
            expired = [sid for sid, record in self._records.items() if record[2] <= now]
            for sid in expired:
                self._drop(sid)
        return len(expired)


def _size(sid: str, data: str) -> int:
    """The bytes a record holds: its ID and its data in UTF-8."""
    if data.isascii():
        return len(sid) + len(data)
    return len(sid) + len(data.encode("utf-8", "surrogatepass"))
