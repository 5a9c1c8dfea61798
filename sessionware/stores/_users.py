"""The user index part of the store contract: each user's sessions, and "not before".

:class:`UserIndex` is what :class:`~sessionware.ServerSideSessionInterface` (with
``user_key``) and :class:`~sessionware.policies.revocation.RevocableCookieSessionInterface`
need from a store beyond session records. :meth:`Store.user_index
<sessionware.stores.Store.user_index>` returns the one for a store; the stores
shipped with sessionware have one each (:func:`index_for`). Any other store gets one
kept in its own records by compare-and-set; it may override ``user_index`` to return
a faster one.

Users are strings (the interface turns ints into their decimal text). An entry
is a session's *handle* (an opaque name that is not its ID), its ID (so that
revocation can delete the record; never shown to the app) and ``info``, a JSON
text the interface writes and reads (created, last seen, the app's metadata).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .base import Store

__all__ = ["IndexEntry", "UserIndex", "index_for"]


class IndexEntry(NamedTuple):
    """One session in a user's index."""

    #: The opaque name of the session shown to the app (not its ID).
    handle: str
    #: The session ID, for deleting the record; never leaves the server.
    sid: str
    #: JSON text written by the interface: created, last seen, metadata.
    info: str


class UserIndex:
    """The sessions of each user, and each user's "not before" time, in one store.

    Every method may raise :class:`~sessionware.stores.StoreError`.
    """

    def put(self, user: str, entry: IndexEntry, ttl: int) -> None:
        """Add ``entry`` to ``user``'s index, replacing one with the same handle.

        The index lives at least ``ttl`` seconds from now.
        """
        raise NotImplementedError(f"{type(self).__name__}.put(user, entry, ttl)")

    def entries(self, user: str) -> list[IndexEntry]:
        """The entries of ``user`` whose session records are still live.

        Entries whose record expired or was deleted are dropped, here or later.
        """
        raise NotImplementedError(f"{type(self).__name__}.entries(user)")

    def remove(self, user: str, handle: str) -> None:
        """Remove the entry ``handle`` from ``user``'s index (its record stays)."""
        raise NotImplementedError(f"{type(self).__name__}.remove(user, handle)")

    def revoke(self, user: str, keep: str | None = None) -> list[IndexEntry]:
        """End every session of ``user`` but the one whose handle is ``keep``.

        Removes the entries and deletes their session records, as one atomic step
        where the back end allows, and returns the entries removed.
        """
        raise NotImplementedError(f"{type(self).__name__}.revoke(user, keep)")

    def revoke_one(self, user: str, handle: str) -> IndexEntry | None:
        """End the session ``handle`` of ``user``; return its entry, ``None`` if unknown."""
        raise NotImplementedError(f"{type(self).__name__}.revoke_one(user, handle)")

    def not_before(self, user: str) -> int | None:
        """``user``'s "not before" time (Unix seconds), or ``None`` if never set."""
        raise NotImplementedError(f"{type(self).__name__}.not_before(user)")

    def set_not_before(self, user: str, when: int, ttl: int) -> None:
        """Make ``when`` ``user``'s "not before" time, kept ``ttl`` seconds.

        A later time replaces an earlier one, never the other way round.
        """
        raise NotImplementedError(f"{type(self).__name__}.set_not_before(user, when, ttl)")


def index_for(store: Store) -> UserIndex:
    """The :class:`UserIndex` of one of sessionware's own stores; for any other store,
    one kept in that store's own records (:class:`~.record_users.RecordUserIndex`).
    """
    if _is(store, "memory", "MemoryStore"):
        from .memory_users import MemoryUserIndex

        return MemoryUserIndex(store)  # type: ignore[arg-type]
    if _is(store, "redis", "RedisStore"):
        from .redis_users import RedisUserIndex

        return RedisUserIndex(store)  # type: ignore[arg-type]
    if _is(store, "sql", "SQLStore"):
        from .sql_users import SQLUserIndex

        return SQLUserIndex(store)  # type: ignore[arg-type]
    from .record_users import RecordUserIndex

    return RecordUserIndex(store)


def _is(store: Store, module: str, name: str) -> bool:
    """Whether ``store`` is a ``sessionware.stores.<module>.<name>``, importing nothing new."""
    import sys

    loaded = sys.modules.get(f"sessionware.stores.{module}")
    return loaded is not None and isinstance(store, getattr(loaded, name))
