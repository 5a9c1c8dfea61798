"""The server-side session interface: cookie and request wiring, nothing else.

It verifies the signed ID from the cookie, asks :class:`~.saving.SavePolicy` for the
record, hands sessions to the handler, and after the handler passes the session to
the policy and sets or deletes the cookie as the policy answers.

Over ~300 lines because it is one class's public surface (its constructor's settings,
each with its check, and the open / save / close hooks); the save policy, the
lifetime rules and the user index are already modules of their own.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from datetime import timedelta

from sessionware.config.settings import SessionConfig
from sessionware.cookies._header import add_vary_cookie
from sessionware.cookies.tagged import TaggedJSONSerializer
from sessionware.interfaces.base import Headers, SessionInterface, WSGIEnviron
from sessionware.sessions import STORE_ERROR_KEY as STORE_ERROR_KEY
from sessionware.sessions import SessionMixin
from sessionware.stores.base import Store, StoreError, UnconfirmedWrite

from . import lifetime
from .saving import OnStoreError, SavePolicy
from .session import ServerSideSession, StoreUnavailableSession
from .user_api import UserIndexAPI
from .users import SessionMetadata, UserSessions

__all__ = ["STORE_ERROR_KEY", "ServerSideSessionInterface"]

logger = logging.getLogger("sessionware")

#: The environ key that holds the :class:`~sessionware.stores.StoreError` when a
#: request got a read-only session because the store failed (``on_store_error="null"``).

_SID = re.compile(r"[A-Za-z0-9_-]{22,128}")
#: The ID sizes accepted: at least 128 bits (OWASP), at most what fits ``_SID`` and
#: the SQL store's 128-character ID column (96 bytes are 128 base64 characters).
_ID_BYTES = range(16, 97)


def _unsaved(exc: StoreError, what: str) -> str:
    """What a failed save cost, for the log: never "not saved" when it may have been."""
    if isinstance(exc, UnconfirmedWrite):
        return (
            f"{what} may have been saved: the store did not answer the write and could not "
            "be asked afterwards whether it landed, so it may still be applied when the "
            "store recovers."
        )
    return f"{what} were not saved."


class ServerSideSessionInterface(UserIndexAPI, SessionInterface):
    """Keeps session data in a :class:`~sessionware.stores.Store`; the cookie holds its ID.

    ::

        store = RedisStore("redis://127.0.0.1:6379/0")
        app = SessionMiddleware(app, secret_key=..., interface=ServerSideSessionInterface(store))

    IDs carry 256 bits from :mod:`secrets` and are signed with the secret key, so a
    guessed or forged ID is refused before the store is asked. An ID that is not in the
    store (expired, ended, or never issued) is never adopted: the request starts a new
    session, stored under a new ID at its first write. Handlers use the same session
    API as with cookies, plus :meth:`~ServerSideSession.regenerate` at login and
    :meth:`~ServerSideSession.invalidate` at logout, which really end the old ID.

    Saves are compare-and-set on the record's version. When another request of the
    same session saved first, this request's own changes (the keys it set, deleted or
    changed in place) are applied onto the newer copy and the save is retried, so
    concurrent requests that change different keys all keep their changes. When both
    changed the same key, the later save wins and a warning names the key.
    :meth:`~ServerSideSession.regenerate` moves the data to its new ID in one atomic
    store step (:meth:`Store.move <sessionware.stores.Store.move>`), so a racing
    logout is never undone.

    Records expire ``permanent_lifetime`` after their last write or touch. Requests
    that only read extend that (with ``refresh_each_request``) at most once per
    ``touch_interval``, without rewriting the data.

    :param store: where sessions are kept.
    :param on_store_error: what a request gets when the store fails. ``"raise"``
        (the default): :class:`~sessionware.stores.StoreError` propagates and the
        request fails; nothing is half-written. ``"null"``: the handler gets a
        read-only empty session, ``environ["sessionware.store_error"]`` holds the
        error, and failed saves are logged and dropped. Never does an outage turn
        into an empty session that overwrites stored data. Logout
        (:meth:`~ServerSideSession.invalidate`) still removes the cookie under
        ``"null"``; under ``"raise"`` it fails like any other request.
    :param touch_interval: the least time (seconds or a :class:`~datetime.timedelta`)
        between two expiry extensions of an unchanged session; 0 touches on every
        request. Capped at half the lifetime.
    :param max_retries: how many times a save re-applies its changes after losing a
        race before raising :class:`~sessionware.stores.StoreError`. The default 30,
        with the backoff, lets 64 requests write one session at the same moment.
    :param retry_backoff: the first wait (seconds) before re-trying a save that lost
        a race twice in a row; it doubles with each further loss, up to 50 ms, and
        each wait is drawn at random below that (jitter). 0 retries at once.
    :param user_key: index every stored session under the value of
        ``session[user_key]`` (a str or int), so that :meth:`sessions_of` lists a
        user's sessions and :meth:`revoke` ends them; ``None`` (the default) keeps no
        index. The store must have a :meth:`~sessionware.stores.Store.user_index`.
    :param session_metadata: with ``user_key``, called with the request's environ
        whenever a session's index entry is written; returns small JSON-able metadata
        (at most 1 KB, e.g. the browser) that :meth:`sessions_of` shows. Under
        :mod:`sessionware.asgi` the environ is built from the scope, with the same
        PEP 3333 keys (``HTTP_USER_AGENT``, ``REMOTE_ADDR``, ...).
    :param salt: separates ID signatures from other uses of the secret key.
    :param serializer: turns session data into text and back; tagged JSON, never pickle.
    :param clock: see :class:`~sessionware.SessionInterface`.
    """

    session_class: type[ServerSideSession] = ServerSideSession
    #: itsdangerous salt of the signed ID.
    salt: str = "sessionware.session-id"
    #: HMAC digest of the signed ID.
    digest_method: str = "sha256"
    #: Random bytes in a new session ID (256 bits; OWASP asks for at least 128). From 16
    #: to 96, checked when the interface is built: 96 bytes fill the SQL ID column.
    id_bytes: int = 32
    saves_after_response = True
    #: With ``idle_timeout``, a read-only request touches the record (renewing the idle
    #: clock) once its cookie is this fraction of the timeout old.
    idle_touch_fraction: float = 0.1

    def __init__(
        self,
        store: Store,
        *,
        on_store_error: OnStoreError = "raise",
        touch_interval: timedelta | float = 60,
        max_retries: int = 30,
        retry_backoff: float = 0.002,
        user_key: str | None = None,
        session_metadata: SessionMetadata | None = None,
        salt: str | None = None,
        serializer: TaggedJSONSerializer | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(clock=clock, salt=salt, serializer=serializer)
        if not isinstance(store, Store):
            raise TypeError(
                f"store must be a sessionware.stores.Store (MemoryStore, RedisStore, "
                f"SQLStore or a subclass of Store), got {type(store).__name__}."
            )
        id_bytes = self.id_bytes
        if isinstance(id_bytes, bool) or not isinstance(id_bytes, int) or id_bytes not in _ID_BYTES:
            raise ValueError(
                f"id_bytes must be an int from 16 (128 bits) to 96 (the longest ID every "
                f"store holds), got {id_bytes!r}; the default 32 gives 256 bits."
            )
        #: Where every store read and write goes; it validates the settings above.
        self.policy = SavePolicy(
            store,
            self.serializer,
            on_store_error=on_store_error,
            touch_interval=touch_interval,
            max_retries=max_retries,
            retry_backoff=retry_backoff,
            new_sid=lambda: self.new_sid(),
            clock=self.clock,
        )
        if user_key is not None and (not isinstance(user_key, str) or not user_key):
            raise TypeError(f"user_key must be a non-empty str or None, got {user_key!r}.")
        if session_metadata is not None and not callable(session_metadata):
            raise TypeError(
                f"session_metadata must be a callable taking the environ, got {session_metadata!r}."
            )
        #: The user index, with ``user_key``; ``None`` without.
        self.users = (
            None
            if user_key is None
            else UserSessions(store, user_key, session_metadata, lambda: self.clock())
        )
        #: session_metadata reads the request: the ASGI middleware passes all of it.
        self.reads_request = self.users is not None and session_metadata is not None
        self._warned_processes = False

    @property
    def store(self) -> Store:
        """Where sessions are kept."""
        return self.policy.store

    @property
    def on_store_error(self) -> OnStoreError:
        """What a request gets when the store fails (``"raise"`` or ``"null"``)."""
        return self.policy.on_store_error

    @property
    def touch_interval(self) -> float:
        """The least number of seconds between two expiry extensions."""
        return self.policy.touch_interval

    @property
    def max_retries(self) -> int:
        """How many times a save re-applies its changes after losing a race."""
        return self.policy.max_retries

    @property
    def retry_backoff(self) -> float:
        """The first wait, in seconds, before re-trying a save that keeps losing races."""
        return self.policy.retry_backoff

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.store!r} on_store_error={self.on_store_error!r}>"

    def new_sid(self) -> str:
        """Return a fresh random session ID."""
        return secrets.token_urlsafe(self.id_bytes)

    def open_session(self, config: SessionConfig, environ: WSGIEnviron) -> SessionMixin | None:
        """Verify the cookie's signed ID and load its record from the store.

        A missing, forged, expired or unknown ID gives a new empty session (logged with
        the reason, never the ID). A store failure follows ``on_store_error``. A
        session past its ``idle_timeout`` or ``absolute_timeout`` is deleted from the
        store and replaced by a new one.
        """
        session = self._open_session(config, environ)
        users = self.users
        if (
            users is not None
            and users.metadata is not None
            and isinstance(session, ServerSideSession)
        ):
            # For session_metadata, when the index is written; let go of in
            # release_session, since the environ holds the session.
            session.environ = environ
        return session

    def _open_session(self, config: SessionConfig, environ: WSGIEnviron) -> SessionMixin | None:
        signer = self._signer(config)
        if signer is None:
            return None
        if self.store.process_local and environ.get("wsgi.multiprocess"):
            self._warn_processes()
        # Whatever reading the cookie raises, the request gets a fresh session.
        verified = self.parse_safely(config, self._verified_cookie, config, signer, environ)
        if verified is None:
            return self.session_class()
        _value, payload, key_index, issued = verified
        sid = payload.decode("ascii", "replace")
        if not _SID.fullmatch(sid):
            self.log_refused(config, "the signed value is not a session ID")
            return self.session_class()
        try:
            loaded = self.policy.load(sid)
        except StoreError as exc:
            self.policy.failed(exc, "Serving a read-only empty session.")
            environ[STORE_ERROR_KEY] = exc
            return StoreUnavailableSession(sid=sid)
        if isinstance(loaded, str):
            code = "unknown_session" if "not in the store" in loaded else "malformed"
            self.log_refused(config, loaded, code=code)
            return self.session_class()
        data, record = loaded
        session = self.session_class(data, new=False, sid=sid, version=record.version)
        session.loaded_text = record.data
        session.reissue = session.rotated = key_index > 0
        session.issued_at = issued
        try:
            return lifetime.opened(self, config, session, environ, sid, issued)
        except StoreError as exc:
            self.policy.failed(exc, "Serving a read-only empty session.")
            environ[STORE_ERROR_KEY] = exc
            return StoreUnavailableSession()

    def _warn_processes(self) -> None:
        if not self._warned_processes:
            self._warned_processes = True
            logger.warning(
                "%s keeps sessions in one process, but the server runs several worker "
                "processes: users lose their session when a request reaches another "
                "worker. Use RedisStore or SQLStore.",
                type(self.store).__name__,
            )

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is never saved; a logout during an outage is saved."""
        if isinstance(obj, StoreUnavailableSession) and obj.invalidated:
            return False
        return super().is_null_session(obj)

    def save_session(self, config: SessionConfig, session: SessionMixin, headers: Headers) -> None:
        """Write the session's changes to the store and set, refresh or delete the cookie.

        A cookie re-sent with the ID the request carried that no longer fits
        ``max_cookie_size`` is not sent (a warning says why): the browser's cookie
        still names the record.

        :raises StoreError: the store failed and ``on_store_error`` is ``"raise"``.
        :raises CookieTooLarge: the cookie of a new ID (a new session, ``regenerate()``)
            does not fit.
        """
        if session.accessed:
            add_vary_cookie(headers)
        if isinstance(session, StoreUnavailableSession):
            if session.invalidated:
                # Logout while the store was down: the cookie goes whatever the store does.
                if session.sid is not None:  # pragma: no branch - it has the cookie's ID
                    self.policy.end(session.sid)
                    session.sid = None
                self.delete_cookie(config, headers)
            return
        if not isinstance(session, ServerSideSession):
            raise TypeError(
                f"{type(self).__name__} saves ServerSideSession objects, got "
                f"{type(session).__name__}; make session_class a subclass of it."
            )
        sent_sid = session.sid
        try:
            before = lifetime.saving(self, config, session)
            action = self.policy.save(config, session, late=False)
        except StoreError as exc:
            self.policy.failed(exc, _unsaved(exc, "The session's changes"))
            if session.invalidated:
                # Logged out: whatever failed, the cookie must not outlive the logout.
                self.delete_cookie(config, headers)
            return
        try:
            lifetime.saved(self, config, session, before, action)
        except StoreError as exc:
            self.policy.failed(exc, "The session was saved; its user index entry was not.")
        if action == "delete":
            self.delete_cookie(config, headers)
        elif action == "set" and session.sid is not None:
            signer = self._signer(config)
            if signer is not None:  # pragma: no branch - sessions exist only with a key
                now = int(self.clock())
                session.issued_at = now
                # The same ID as the request's cookie (a touch, a re-sign, a change kept
                # in the store): the browser's cookie still names the record, so a
                # re-send that no longer fits must not fail the request. A new ID must.
                reissue = "re-sending its unchanged session ID" if session.sid == sent_sid else None
                value = signer.dumps(session.sid.encode(), now)
                self.set_cookie(config, session, headers, value, reissue=reissue)

    def discard_session(self, config: SessionConfig, session: SessionMixin) -> None:
        """Drop changes made while a response body that then failed streamed (logged)."""
        if isinstance(session, StoreUnavailableSession):
            pending = session.invalidated and session.sid is not None
        else:
            pending = isinstance(session, ServerSideSession) and (
                self.policy.changed(session) or session.ended_sid is not None
            )
        if pending:
            logger.warning(
                "The response body failed after the headers were sent; the session's "
                "changes made since then are not saved."
            )

    def release_session(self, config: SessionConfig, session: SessionMixin) -> None:
        """Let go of the request's environ (kept for ``session_metadata``): the request
        is over, so the user index is written no more."""
        if isinstance(session, ServerSideSession):
            session.environ = None

    def close_session(self, config: SessionConfig, session: SessionMixin) -> None:
        """Save changes made while the response body streamed (the cookie is already out)."""
        if isinstance(session, StoreUnavailableSession):
            if not session.invalidated or session.sid is None:
                return
            # invalidate() after the headers, while the store was down at open.
            logger.warning(
                "invalidate() was called after the response headers were sent; the "
                "cookie cannot be removed, so the stored session is deleted if it can be."
            )
            self.policy.end(session.sid)
            session.sid = None
            return
        if not isinstance(session, ServerSideSession):
            return
        # The same steps as save_session's, so that the user index follows a login,
        # a user change or a logout made while the body streamed.
        try:
            before = lifetime.saving(self, config, session, late=True)
            action = self.policy.save(config, session, late=True)
        except StoreError as exc:
            self.policy.failed(exc, _unsaved(exc, "Changes made while the response streamed"))
            return
        try:
            lifetime.saved(self, config, session, before, action, late=True)
        except StoreError as exc:
            self.policy.failed(exc, "The session was saved; its user index entry was not.")
