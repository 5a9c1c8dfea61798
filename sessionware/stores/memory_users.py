"""The user index of :class:`~sessionware.stores.MemoryStore`: dicts behind a lock."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ._users import IndexEntry, UserIndex

if TYPE_CHECKING:
    from .memory import MemoryStore

__all__ = ["MemoryUserIndex"]


class MemoryUserIndex(UserIndex):
    """Each user's entries and "not before" time in dicts guarded by a lock of their own.

    Revocation removes the entries under that lock, then deletes the records through
    the store, twice: a regenerate() that moved a record to its (already listed) new
    ID while the first pass ran is caught by the second. A request of a revoked session
    that is in flight cannot write its record back (its compare-and-set finds no
    record), and an entry it puts back is never listed, its record being gone.
    """

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        # One index per store, whichever UserIndex object asks: kept on the store.
        state = store.__dict__.setdefault("_user_index_state", (threading.Lock(), {}, {}))
        self._lock: threading.Lock = state[0]
        self._users: dict[str, dict[str, tuple[IndexEntry, float]]] = state[1]
        self._not_before: dict[str, tuple[int, float]] = state[2]

    def _live(self, entry: IndexEntry) -> bool:
        return self.store.get(entry.sid) is not None

    def put(self, user: str, entry: IndexEntry, ttl: int) -> None:
        """Add or replace ``entry`` in ``user``'s index."""
        with self._lock:
            now = self.store.clock()
            entries = self._users.setdefault(user, {})
            entries[entry.handle] = (entry, now + ttl)
            # Drop entries past their own expiry, so the index is bounded by the user's
            # recent sessions. (Not by record liveness: an entry may be listed just
            # before its record is written.)
            for handle in [h for h, (_, expires) in entries.items() if expires <= now]:
                del entries[handle]

    def entries(self, user: str) -> list[IndexEntry]:
        """The live entries of ``user``."""
        with self._lock:
            entries = list(self._users.get(user, {}).values())
        return [entry for entry, _ in entries if self._live(entry)]

    def remove(self, user: str, handle: str) -> None:
        """Remove the entry ``handle`` of ``user``."""
        with self._lock:
            entries = self._users.get(user)
            if entries is not None:
                entries.pop(handle, None)
                if not entries:
                    del self._users[user]

    def revoke(self, user: str, keep: str | None = None) -> list[IndexEntry]:
        """Remove ``user``'s entries but ``keep``, then delete their records."""
        with self._lock:
            entries = self._users.get(user, {})
            ended = [entry for handle, (entry, _) in entries.items() if handle != keep]
            for entry in ended:
                del entries[entry.handle]
            if not entries:
                self._users.pop(user, None)
        for _ in range(2):
            for entry in ended:
                self.store.delete(entry.sid)
        return ended

    def revoke_one(self, user: str, handle: str) -> IndexEntry | None:
        """End the session ``handle`` of ``user``."""
        with self._lock:
            entries = self._users.get(user, {})
            found = entries.pop(handle, None)
            if not entries:
                self._users.pop(user, None)
        if found is None:
            return None
        for _ in range(2):
            self.store.delete(found[0].sid)
        return found[0]

    def not_before(self, user: str) -> int | None:
        """``user``'s "not before" time, if set and kept."""
        with self._lock:
            found = self._not_before.get(user)
        if found is None or found[1] <= self.store.clock():
            return None
        return found[0]

    def set_not_before(self, user: str, when: int, ttl: int) -> None:
        """Raise ``user``'s "not before" time to ``when``."""
        with self._lock:
            now = self.store.clock()
            found = self._not_before.get(user)
            if found is not None and found[1] > now:
                when = max(when, found[0])
            self._not_before[user] = (when, now + ttl)
