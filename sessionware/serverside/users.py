"""The user index of server-side sessions: see and end every session of a user.

With ``ServerSideSessionInterface(store, user_key="user_id")`` each stored session
whose data holds ``user_id`` is listed under that user in the store's
:class:`~sessionware.stores.UserIndex`, and kept in step after every save: logging
in adds it, logging out (``invalidate()`` or deleting the key) removes it,
``regenerate()`` moves it to the new ID, and reads refresh its "last seen" time at
most once per touch interval.

Sessions are named by *handles*: the user (URL-safe base64), a dot and a hash of
the session ID. A handle can be shown to its user and sent back in a form ("end this
session"); it does not give the ID away, and it cannot be used as a cookie.
"""

from __future__ import annotations

import hashlib
import json
import logging
from base64 import urlsafe_b64decode, urlsafe_b64encode
from binascii import Error as Base64Error
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sessionware import events
from sessionware.stores._users import IndexEntry
from sessionware.stores._users import user_text as user_text
from sessionware.stores.base import Store

__all__ = ["SessionInfo", "UserSessions", "handle_of", "user_text"]

logger = logging.getLogger("sessionware")

#: The most bytes of JSON metadata kept per session; more is dropped with a warning.
MAX_METADATA_BYTES = 1024

_MISSING: Any = object()

SessionMetadata = Callable[[Mapping[str, Any]], Mapping[str, Any]]


def handle_of(user: str, sid: str) -> str:
    """The handle of the session ``sid`` of ``user``: not the ID, nor leading to it."""
    digest = hashlib.sha256(b"sessionware.handle\x00" + sid.encode("ascii")).digest()[:16]
    owner = urlsafe_b64encode(user.encode("utf-8")).decode("ascii").rstrip("=")
    return f"{owner}.{urlsafe_b64encode(digest).decode('ascii').rstrip('=')}"


def owner_of(handle: str) -> str | None:
    """The user a handle names, or ``None`` for something that is not a handle."""
    owner, dot, _ = handle.rpartition(".") if isinstance(handle, str) else ("", "", "")
    if not dot or not owner:
        return None
    try:
        return urlsafe_b64decode(owner + "=" * (-len(owner) % 4)).decode("utf-8")
    except (Base64Error, ValueError):
        return None


@dataclass(frozen=True)
class SessionInfo:
    """One session of a user, as :meth:`ServerSideSessionInterface.sessions_of
    <sessionware.ServerSideSessionInterface.sessions_of>` lists it.

    :ivar handle: names the session for :meth:`revoke_handle` and ``keep=``; not its ID.
    :ivar created: when the session was created or last regenerated (login).
    :ivar last_seen: the last request that opened it, to within the touch interval.
    :ivar metadata: what the interface's ``session_metadata`` recorded (e.g. the
        browser), as of ``last_seen``.
    """

    handle: str
    created: datetime
    last_seen: datetime
    metadata: dict[str, Any] = field(default_factory=dict)


class UserSessions:
    """Keeps a store's user index in step with saves, and answers the interface's
    :meth:`sessions_of`, :meth:`revoke` and :meth:`revoke_handle`.

    :param store: the store whose :meth:`~sessionware.stores.Store.user_index` is used.
    :param user_key: the session key naming the user.
    :param metadata: called with the request's environ when a session's entry is
        written; returns small JSON-able metadata to show in :attr:`SessionInfo.metadata`.
    :param clock: returns the current Unix time.
    """

    def __init__(
        self,
        store: Store,
        user_key: str,
        metadata: SessionMetadata | None,
        clock: Callable[[], float],
    ) -> None:
        self.store = store
        self.user_key = user_key
        self.metadata = metadata
        self.clock = clock

    def user_of(self, data: Mapping[str, Any]) -> str | None:
        """Who a session's data says is logged in, as the index names them."""
        return user_text(data.get(self.user_key))

    def saved(
        self,
        *,
        before: tuple[str | None, str | None],
        after: tuple[str | None, str | None],
        created: int | None,
        due: bool,
        ttl: int,
        environ: Mapping[str, Any] | None,
    ) -> None:
        """Bring the index in step with a save: ``before``/``after`` are (user, ID).

        ``due`` says whether an unchanged entry's "last seen" time is due for renewal.

        :raises StoreError: the store failed.
        """
        index = self.store.user_index()
        old_user, old_sid = before
        user, sid = after
        moved = before != after
        if moved and old_user is not None and old_sid is not None:
            index.remove(old_user, handle_of(old_user, old_sid))
        if user is None or sid is None or not (moved or due):
            return
        self.listed_ahead(user, sid, created=created, ttl=ttl, environ=environ)

    def listed_ahead(
        self,
        user: str,
        sid: str,
        *,
        created: int | None,
        ttl: int,
        environ: Mapping[str, Any] | None,
    ) -> None:
        """Write the index entry of ``sid`` for ``user`` (also before its record exists:
        an entry without a live record is never listed).

        :raises StoreError: the store failed.
        """
        now = int(self.clock())
        info = {
            "created": now if created is None else created,
            "last_seen": now,
            "metadata": self._metadata(environ),
        }
        entry = IndexEntry(handle_of(user, sid), sid, json.dumps(info, separators=(",", ":")))
        self.store.user_index().put(user, entry, ttl)

    def _metadata(self, environ: Mapping[str, Any] | None) -> dict[str, Any]:
        if self.metadata is None or environ is None:
            return {}
        recorded = dict(self.metadata(environ))
        try:
            size = len(json.dumps(recorded))
        except (TypeError, ValueError):
            logger.warning("session_metadata returned data JSON cannot hold; it is dropped.")
            return {}
        if size > MAX_METADATA_BYTES:
            logger.warning(
                "session_metadata returned %d bytes of JSON, over %d; it is dropped.",
                size,
                MAX_METADATA_BYTES,
            )
            return {}
        return recorded

    def ended(self, user: str | None, sid: str) -> None:
        """Remove the entry of a session that ended without a save (it timed out)."""
        if user is not None:
            self.store.user_index().remove(user, handle_of(user, sid))

    def sessions_of(self, user: object) -> list[SessionInfo]:
        """The live sessions of ``user``, oldest first."""
        name = user_text(user)
        if name is None:
            return []
        found = []
        for entry in self.store.user_index().entries(name):
            try:
                info = json.loads(entry.info)
                created = datetime.fromtimestamp(info["created"], UTC)
                seen = datetime.fromtimestamp(info["last_seen"], UTC)
                metadata = dict(info.get("metadata") or {})
            except (ValueError, TypeError, KeyError, OverflowError):
                continue  # a corrupt entry lists nothing; it ends with its session
            found.append(SessionInfo(entry.handle, created, seen, metadata))
        return sorted(found, key=lambda info: (info.created, info.handle))

    def revoke(self, user: object, keep: object = None, *, interface: object = None) -> int:
        """End every session of ``user`` but ``keep`` (a handle or a session)."""
        name = user_text(user)
        if name is None:
            return 0
        ended = self.store.user_index().revoke(name, self._handle(name, keep))
        events.emit("revoked", count=len(ended), interface=interface)
        return len(ended)

    def revoke_handle(self, handle: str, user: object = None, *, interface: object = None) -> bool:
        """End the one session ``handle`` names (only if it is ``user``'s, when given)."""
        owner = owner_of(handle)
        if owner is None or (user is not None and user_text(user) != owner):
            return False
        ended = self.store.user_index().revoke_one(owner, handle) is not None
        if ended:
            events.emit("revoked", count=1, interface=interface)
        return ended

    def _handle(self, user: str, keep: object) -> str | None:
        if keep is None or isinstance(keep, str):
            return keep
        sid = getattr(keep, "sid", _MISSING)
        if sid is not None and not isinstance(sid, str):
            raise TypeError(
                "keep must be a handle (from sessions_of) or the request's session, got "
                f"{type(keep).__name__}."
            )
        # A session not stored yet is in no index: every stored one is "other".
        return None if sid is None else handle_of(user, sid)
