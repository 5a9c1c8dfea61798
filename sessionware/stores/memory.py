"""A store in this process's memory, for development and tests."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from .base import Store, StoreRecord

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

    :param max_entries: the most sessions kept; beyond it expired records are dropped
        first, then the least recently used ones (whose users are logged out).
    :param clock: returns the current Unix time; tests pass a fake clock.
    """

    process_local = True

    def __init__(
        self, *, max_entries: int = 10_000, clock: Callable[[], float] | None = None
    ) -> None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1:
            raise ValueError(f"max_entries must be a positive int, got {max_entries!r}.")
        self.max_entries = max_entries
        self.clock: Callable[[], float] = clock or time.time
        self._records: OrderedDict[str, tuple[str, int, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._versions = 0
        self._pid = os.getpid()

    def __repr__(self) -> str:
        return f"<MemoryStore {len(self._records)} of {self.max_entries} entries>"

    def __len__(self) -> int:
        return len(self._records)

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
            del self._records[sid]
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
            if record is None and len(self._records) >= self.max_entries:
                self._make_room(now)
            self._versions += 1
            self._records[sid] = (data, self._versions, now + ttl)
            self._records.move_to_end(sid)
            return self._versions

    def _make_room(self, now: float) -> None:
        for sid in [sid for sid, record in self._records.items() if record[2] <= now]:
            del self._records[sid]
        while len(self._records) >= self.max_entries:
            self._records.popitem(last=False)

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
            self._records.pop(sid, None)

    def cleanup(self) -> int:
        """Drop expired records and return how many there were."""
        with self._lock:
            now = self.clock()
            expired = [sid for sid, record in self._records.items() if record[2] <= now]
            for sid in expired:
                del self._records[sid]
        return len(expired)
