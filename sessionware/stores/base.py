"""The store contract: what a server-side session back end must do.

A store keeps one record per session ID: the session data as text (tagged JSON,
written by :class:`~sessionware.ServerSideSessionInterface`) and a version number
that changes on every write. Writes are compare-and-set on that version, which is
what lets two concurrent requests of one session both keep their changes.

To write a store, subclass :class:`Store` and implement :meth:`~Store.get`,
:meth:`~Store.set`, :meth:`~Store.touch` and :meth:`~Store.delete`; override
:meth:`~Store.move` with one atomic step (the default is not atomic), and
:meth:`~Store.cleanup` if expired records are not removed by the back end itself.
Subclass the conformance suite in ``tests/stores/contract.py`` to check it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._records import CorruptRecord as CorruptRecord
from ._records import StoreError as StoreError
from ._records import StoreRecord as StoreRecord
from ._records import UnconfirmedWrite as UnconfirmedWrite

if TYPE_CHECKING:
    from ._users import UserIndex

__all__ = ["CorruptRecord", "Store", "StoreError", "StoreRecord", "UnconfirmedWrite"]


class Store:
    """Base class of session stores.

    Every method may be called from many threads at once, and (for shared back ends)
    from many processes; a store must be safe under both. Failures of the back end
    raise :class:`StoreError`, never the client library's exceptions.

    ``ttl`` arguments are whole seconds; a record must not be returned by
    :meth:`get` once its TTL has run out.
    """

    #: ``True`` when records live in this process only (not shared by worker processes).
    process_local: bool = False

    def get(self, sid: str) -> StoreRecord | None:
        """Return the record of ``sid``, or ``None`` when there is none or it expired.

        :raises CorruptRecord: the record exists but cannot be read (not text, or a
            version that is not an integer).
        """
        raise NotImplementedError(
            f"{type(self).__name__}.get(sid) must return the StoreRecord of sid, or None"
        )

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        """Write ``data`` as the record of ``sid``, expiring ``ttl`` seconds from now.

        Compare-and-set: with ``version=None`` the record is created only if ``sid``
        has no live record; otherwise it is replaced only if its version is still
        ``version``. The check and the write must be one atomic step.

        :returns: the record's new version (different from the one it replaced), or
            ``None`` when the condition failed and nothing was written.
        """
        raise NotImplementedError(
            f"{type(self).__name__}.set(sid, data, ttl, version) must write the record "
            "if its version is still `version` (or it is absent, for None) and return "
            "the new version, else return None"
        )

    def move(self, sid: str, new_sid: str, data: str, ttl: int, version: int) -> int | None:
        """Replace the record of ``sid`` by ``data`` under ``new_sid``: regenerate's write.

        One atomic step: only if ``sid`` has a live record at ``version`` and
        ``new_sid`` has none, write ``data`` as the record of ``new_sid`` (expiring
        ``ttl`` seconds from now) and delete the record of ``sid``. So a session that
        a concurrent request ended is never brought back under the new ID, and a
        concurrent write to ``sid`` either lands before (the version no longer
        matches) or finds the record gone.

        The default composes :meth:`get`, :meth:`set` and :meth:`delete` and is
        **not** atomic (a logout between its steps is undone); stores override it.

        :returns: the new record's version, or ``None`` when nothing was written.
        """
        record = self.get(sid)
        if record is None or record.version != version:
            return None
        new_version = self.set(new_sid, data, ttl, None)
        if new_version is not None:
            self.delete(sid)
        return new_version

    def moved_id(self, sid: str, fresh: str) -> str:
        """The ID regenerate() moves the record of ``sid`` to, given a ``fresh`` random one.

        ``fresh`` itself by default. A store whose atomic :meth:`move` needs both keys
        in one partition (``RedisStore`` on Redis Cluster) keeps the part of ``sid``
        that names the partition.
        """
        return fresh

    def delete(self, sid: str) -> None:
        """Remove the record of ``sid``; no error if there is none."""
        raise NotImplementedError(f"{type(self).__name__}.delete(sid) must remove the record")

    def touch(self, sid: str, ttl: int) -> bool:
        """Make the record of ``sid`` expire ``ttl`` seconds from now.

        Must not change its data or version, so that a touch never causes a conflict
        with a concurrent write.

        :returns: ``False`` when there was no live record to touch.
        """
        raise NotImplementedError(
            f"{type(self).__name__}.touch(sid, ttl) must extend the record's expiry "
            "without changing its data or version, and return whether it existed"
        )

    def settle(
        self, sid: str, version: int | None, data: str, new_sid: str | None = None
    ) -> int | None:
        """After a write raised :class:`UnconfirmedWrite`: make sure it can no longer
        land, and say whether it did.

        The write was ``set(sid, data, ttl, version)`` or, with ``new_sid``,
        ``move(sid, new_sid, data, ttl, version)``.

        :returns: the version the write gave the record if it was applied; ``None`` if it
            was not, and now never will be.
        :raises StoreError: that cannot be known (the back end still does not answer).
            The default raises it: a store that never raises :class:`UnconfirmedWrite`
            needs nothing else.
        """
        raise StoreError(
            f"{type(self).__name__} cannot tell whether an unanswered write was applied"
        )

    def cleanup(self) -> int:
        """Delete expired records and return how many were deleted.

        Stores whose back end expires records by itself (Redis) return 0.
        """
        return 0

    def close(self) -> None:
        """Release connections; the store is not used afterwards."""

    def user_index(self) -> UserIndex:
        """The index of sessions by user and of "not before" times, in this store.

        Needed only by ``ServerSideSessionInterface(user_key=...)`` and
        :class:`~sessionware.policies.revocation.RevocableCookieSessionInterface`. sessionware's
        stores have one; a third-party store overrides this to return its own
        :class:`~sessionware.stores.UserIndex` (built once: the result is kept).
        """
        index = self.__dict__.get("_user_index")
        if index is None:
            index = self.__dict__["_user_index"] = self._new_user_index()
        return index

    def _new_user_index(self) -> UserIndex:
        """Build this store's user index; sessionware's stores override it with their own.

        Any other store gets one kept in its own records by compare-and-set.
        """
        from .record_users import RecordUserIndex

        return RecordUserIndex(self)
