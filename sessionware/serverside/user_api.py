"""The user index methods of :class:`~sessionware.ServerSideSessionInterface`.

A mixin, so that the interface module stays the request wiring; everything here goes
through :class:`~.users.UserSessions` (``interface.users``).
"""

from __future__ import annotations

from sessionware.sessions import SessionMixin

from .users import SessionInfo, UserSessions
from .users import handle_of as users_handle

__all__ = ["UserIndexAPI"]


class UserIndexAPI:
    """``sessions_of``, ``revoke``, ``revoke_handle`` and ``handle_of``; needs ``users``."""

    #: The user index, with ``user_key``; ``None`` without.
    users: UserSessions | None = None

    def sessions_of(self, user: object) -> list[SessionInfo]:
        """The live sessions of ``user`` (a ``session[user_key]`` value), oldest first.

        Each has an opaque :attr:`~SessionInfo.handle` (not the session ID), when it
        was created, when it was last seen and its metadata. Needs ``user_key``.

        :raises StoreError: the store failed.
        """
        return self._users().sessions_of(user)

    def revoke(self, user: object, keep: object = None) -> int:
        """End every session of ``user``, or all but ``keep``; return how many ended.

        ``keep`` is a handle from :meth:`sessions_of` or a session (the request's own,
        for "log out my other devices"). Ended sessions are deleted from the store, so
        their cookies stop working at once; a request of one that is in flight cannot
        write it back. Needs ``user_key``.

        :raises StoreError: the store failed.
        """
        return self._users().revoke(user, keep, interface=self)

    def revoke_handle(self, handle: str, *, user: object = None) -> bool:
        """End the session ``handle`` names; ``False`` if there was none.

        Pass ``user`` (the logged-in user) when the handle comes from a request, so
        that a user can only end their own sessions. Needs ``user_key``.

        :raises StoreError: the store failed.
        """
        return self._users().revoke_handle(handle, user, interface=self)

    def handle_of(self, session: SessionMixin) -> str | None:
        """The handle of ``session`` (e.g. to mark "this device" in a list), if indexed."""
        users = self._users()
        sid = getattr(session, "sid", None)
        user = users.user_of(session)
        return None if user is None or not isinstance(sid, str) else users_handle(user, sid)

    def _users(self) -> UserSessions:
        if self.users is None:
            raise TypeError(
                "this ServerSideSessionInterface keeps no user index; build it with "
                "user_key='user_id' (the session key naming the user)."
            )
        return self.users
