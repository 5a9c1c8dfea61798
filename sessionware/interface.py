"""The base class of session back ends, modelled on Flask's ``SessionInterface``.

Flask's ``app`` becomes the :class:`~sessionware.SessionConfig`, the request becomes
the WSGI ``environ`` and the response becomes the list of response headers; the
methods are otherwise Flask's, so a Flask session interface ports with little change.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ._cookies import (
    DuplicateCookie,
    add_vary_cookie,
    deletion_header,
    find_cookie,
    set_cookie_header,
)
from ._signing import BadCookie, CookieSigner
from .config import MAX_COOKIE_AGE, SessionConfig
from .errors import CookieTooLarge
from .sessions import NullSession, SecureCookieSession, SessionMixin
from .tagged import TaggedJSONSerializer

__all__ = ["SessionInterface"]

logger = logging.getLogger("sessionware")

WSGIEnviron = dict[str, Any]
Headers = list[tuple[str, str]]


class SessionInterface:
    """Opens a session for each request and saves it into the response headers.

    Subclass it and implement :meth:`open_session` and :meth:`save_session` to keep
    sessions somewhere else; override :attr:`session_class` or
    :attr:`null_session_class` to change the session objects. Nothing per-request is
    kept on the instance, so one instance serves every thread.

    :param clock: returns the current Unix time; tests pass a fake clock to control
        expiry without sleeping.
    """

    #: The class of the sessions :meth:`open_session` returns.
    session_class: type[SecureCookieSession] = SecureCookieSession
    #: The class of the session handlers get when :meth:`open_session` returns ``None``.
    null_session_class: type[NullSession] = NullSession
    #: Whether :meth:`close_session` saves changes made after the headers were sent.
    #: Cookie-based interfaces cannot (the cookie is already out), so the middleware
    #: logs a warning on such late writes instead.
    saves_after_response: bool = False

    #: itsdangerous salt of what the interface signs (the cookie's value).
    salt: str = "cookie-session"
    #: :mod:`hashlib` name of the HMAC digest of what the interface signs.
    digest_method: str = "sha1"
    #: Turns session data into text and back.
    serializer: TaggedJSONSerializer = TaggedJSONSerializer()

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        salt: str | None = None,
        digest_method: str | None = None,
        serializer: TaggedJSONSerializer | None = None,
    ) -> None:
        self.clock: Callable[[], float] = clock or time.time
        if salt is not None:
            if not isinstance(salt, str) or not salt:
                raise ValueError(f"salt must be a non-empty str, got {salt!r}.")
            self.salt = salt
        if digest_method is not None:
            self.digest_method = digest_method
        try:
            hashlib.new(self.digest_method)
        except (TypeError, ValueError):
            raise ValueError(
                f"digest_method={self.digest_method!r} is not a hashlib algorithm; use "
                "'sha1' (Flask-compatible) or 'sha256'."
            ) from None
        if serializer is not None:
            self.serializer = serializer
        # Signers keyed by id(config); the config is kept in the entry so that the id
        # cannot be reused by another object while the entry lives.
        self._signers: dict[int, tuple[SessionConfig, CookieSigner | None]] = {}

    def _signer(self, config: SessionConfig) -> CookieSigner | None:
        """The signer for ``config``'s keys, built once; ``None`` without a secret key."""
        entry = self._signers.get(id(config))
        if entry is not None and entry[0] is config:
            return entry[1]
        signer = None
        if config.secret_key:
            signer = CookieSigner(
                config.secret_key,
                config.secret_key_fallbacks,
                salt=self.salt,
                digest_method=self.digest_method,
            )
        self._signers[id(config)] = (config, signer)
        return signer

    def make_null_session(self, config: SessionConfig) -> NullSession:
        """Return the read-only empty session used when no session can be had."""
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is a null session, which is never saved."""
        return isinstance(obj, self.null_session_class)

    def get_expiration_time(self, config: SessionConfig, session: SessionMixin) -> datetime | None:
        """When a permanent session expires; ``None`` for a browser-session cookie."""
        if not session.permanent:
            return None
        return datetime.fromtimestamp(int(self.clock()) + config.lifetime_seconds, UTC)

    def should_set_cookie(self, config: SessionConfig, session: SessionMixin) -> bool:
        """Whether this response must carry the cookie.

        It must when the session was modified or needs re-issuing (signed with an old
        key), or is permanent and ``refresh_each_request`` slides its expiry forward.
        A read-only request on a browser-session cookie sends nothing.
        """
        return bool(
            session.modified
            or getattr(session, "reissue", False)
            or (config.refresh_each_request and session.permanent)
        )

    def open_session(self, config: SessionConfig, environ: WSGIEnviron) -> SessionMixin | None:
        """Return the request's session, or ``None`` when sessions are unavailable.

        Called lazily, the first time a handler touches the session. It must not raise
        for bad client input: a bad cookie is a fresh session.
        """
        raise NotImplementedError(
            f"{type(self).__name__}.open_session must return the request's session "
            "(or None when no session can be had)"
        )

    def save_session(self, config: SessionConfig, session: SessionMixin, headers: Headers) -> None:
        """Persist ``session`` and append any ``Set-Cookie``/``Vary`` to ``headers``.

        Called once per request that opened a session, before the response headers are
        sent; never called for a null session.
        """
        raise NotImplementedError(
            f"{type(self).__name__}.save_session must store the session and add its "
            "cookie to the response headers"
        )

    def close_session(self, config: SessionConfig, session: SessionMixin) -> None:
        """Called when the response is closed, for sessions that were opened.

        Interfaces with :attr:`saves_after_response` save changes made while the body
        streamed here; the default does nothing.
        """

    def discard_session(self, config: SessionConfig, session: SessionMixin) -> None:
        """Called instead of :meth:`close_session` when the response body failed.

        That is, it raised, or was closed before its end (the client went away), after
        the headers were sent: changes made to the session since then must not be
        committed. The default does nothing.
        """

    # Helpers for subclasses: the cookie wire format, shared by every back end.

    def read_cookie(self, config: SessionConfig, environ: WSGIEnviron) -> str | None:
        """Return the session cookie's raw value from the request, or ``None``.

        A cookie sent twice under the session's name is refused and logged.
        """
        header = environ.get("HTTP_COOKIE")
        if not header:
            return None
        try:
            return find_cookie(header, config.cookie_name)
        except DuplicateCookie:
            self.log_refused(config, "the request carries the cookie more than once")
            return None

    def _verified_cookie(
        self, config: SessionConfig, signer: CookieSigner, environ: WSGIEnviron
    ) -> tuple[str, bytes, int] | None:
        """The request's cookie value, its verified payload and the index of the key
        that signed it; ``None`` when there is no valid cookie (a refused one is logged).
        """
        value = self.read_cookie(config, environ)
        if value is None:
            return None
        try:
            payload, key_index = signer.loads(value, self.clock(), config.lifetime_seconds)
        except BadCookie as exc:
            self.log_refused(config, exc.reason, expired=exc.expired)
            return None
        return value, payload, key_index

    def set_cookie(
        self, config: SessionConfig, session: SessionMixin, headers: Headers, value: str
    ) -> None:
        """Append the ``Set-Cookie`` header carrying ``value`` for ``session``.

        :raises CookieTooLarge: the header would exceed ``config.max_cookie_size``.
        """
        expires_at = self.get_expiration_time(config, session)
        if expires_at is None:
            header = set_cookie_header(config, value)
        else:
            now = int(self.clock())
            max_age = max(0, min(int(expires_at.timestamp()) - now, MAX_COOKIE_AGE))
            header = set_cookie_header(config, value, now + max_age, max_age)
        if len(header) > config.max_cookie_size:
            raise CookieTooLarge(config.cookie_name, len(header), config.max_cookie_size)
        headers.append(("Set-Cookie", header))

    def delete_cookie(self, config: SessionConfig, headers: Headers) -> None:
        """Append the ``Set-Cookie`` header that removes the session cookie."""
        headers.append(("Set-Cookie", deletion_header(config)))

    def add_vary_cookie(self, headers: Headers) -> None:
        """Add ``Cookie`` to the response's ``Vary`` header, merged, never duplicated.

        Call it when the session was accessed: a response that depends on the session
        must not be served by a shared cache to another user.
        """
        add_vary_cookie(headers)

    def log_refused(self, config: SessionConfig, reason: str, *, expired: bool = False) -> None:
        """Log why a request's session cookie was refused, never with its value."""
        logger.log(
            logging.INFO if expired else logging.WARNING,
            "Refused the %r session cookie: %s; starting a new session.",
            config.cookie_name,
            reason,
        )
