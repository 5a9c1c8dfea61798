"""A user index for any store, kept in the store's own records by compare-and-set.

Stores that bring no index of their own (a third-party store implementing only the
four required methods) get this one: each user's entries are one record under
``"~users:" + user`` and their "not before" time another under ``"~nb:" + user``
(``~`` never occurs in a session ID), updated by the store's compare-and-set, so
concurrent updates of one user never lose each other's changes.
"""

from __future__ import annotations

import json
import time
from base64 import urlsafe_b64encode
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._records import StoreError
from ._users import IndexEntry, UserIndex

if TYPE_CHECKING:
    from .base import Store

__all__ = ["RecordUserIndex"]

#: How often an update retries after losing a compare-and-set race.
RETRIES = 50


def _expires(item: Any) -> float:
    return item[2] if isinstance(item, list) and len(item) > 2 else float("inf")


def _name(kind: str, user: str) -> str:
    return f"~{kind}:" + urlsafe_b64encode(user.encode("utf-8")).decode("ascii")


class RecordUserIndex(UserIndex):
    """The user index of a store that has none, in records of that store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def store_time(self) -> float:
        """The store's clock if it has one (tests pass fake clocks), else the real time."""
        clock = getattr(self.store, "clock", None)
        return float(clock()) if callable(clock) else time.time()

    def _read(self, sid: str) -> tuple[dict[str, Any], int | None]:
        record = self.store.get(sid)
        if record is None:
            return {}, None
        try:
            value = json.loads(record.data)
        except ValueError:
            value = None
        return (value if isinstance(value, dict) else {}), record.version

    def _update(self, sid: str, ttl: int, change: Callable[[dict[str, Any]], Any]) -> Any:
        """Apply ``change`` to the record's dict by compare-and-set; return its result."""
        for _ in range(RETRIES):
            value, version = self._read(sid)
            result = change(value)
            text = json.dumps(value, separators=(",", ":"))
            if self.store.set(sid, text, ttl, version) is not None:
                return result
        raise StoreError(f"the user index record lost {RETRIES} compare-and-set races in a row")

    def put(self, user: str, entry: IndexEntry, ttl: int) -> None:
        """Add or replace ``entry`` in ``user``'s record."""

        now = self.store_time()

        def add(value: dict[str, Any]) -> None:
            for handle in [h for h, item in value.items() if _expires(item) <= now]:
                del value[handle]  # past its own expiry
            value[entry.handle] = [entry.sid, entry.info, now + ttl]

        self._update(_name("users", user), ttl, add)

    def entries(self, user: str) -> list[IndexEntry]:
        """The entries of ``user`` whose session records are live."""
        value, _ = self._read(_name("users", user))
        found = [IndexEntry(handle, item[0], item[1]) for handle, item in sorted(value.items())]
        return [entry for entry in found if self.store.get(entry.sid) is not None]

    def remove(self, user: str, handle: str) -> None:
        """Remove the entry ``handle`` of ``user``."""
        name = _name("users", user)
        if handle in self._read(name)[0]:
            self._update(name, 400 * 24 * 3600, lambda value: value.pop(handle, None))

    def _take(self, user: str, keep: Callable[[str], bool]) -> list[IndexEntry]:
        name = _name("users", user)
        if not self._read(name)[0]:
            return []

        def take(value: dict[str, Any]) -> list[IndexEntry]:
            taken = [h for h in value if not keep(h)]
            return [IndexEntry(h, *value.pop(h)[:2]) for h in taken]

        ended: list[IndexEntry] = self._update(name, 400 * 24 * 3600, take)
        for _ in range(2):  # the second pass: see MemoryUserIndex.revoke
            for entry in ended:
                self.store.delete(entry.sid)
        return ended

    def revoke(self, user: str, keep: str | None = None) -> list[IndexEntry]:
        """Take ``user``'s entries but ``keep`` (compare-and-set), then delete their records."""
        return self._take(user, lambda handle: handle == keep)

    def revoke_one(self, user: str, handle: str) -> IndexEntry | None:
        """End the session ``handle`` of ``user``."""
        ended = self._take(user, lambda other: other != handle)
        return ended[0] if ended else None

    def not_before(self, user: str) -> int | None:
        """``user``'s "not before" time, if set and kept."""
        value = self._read(_name("nb", user))[0].get("t")
        return value if isinstance(value, int) else None

    def set_not_before(self, user: str, when: int, ttl: int) -> None:
        """Raise ``user``'s "not before" time to ``when``."""

        def raise_to(value: dict[str, Any]) -> None:
            current = value.get("t")
            value["t"] = max(when, current) if isinstance(current, int) else when

        self._update(_name("nb", user), ttl, raise_to)
