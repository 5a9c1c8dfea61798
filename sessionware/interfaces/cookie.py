"""The cookie interface: the whole session in the cookie, its codec and policies as values.

Signed or encrypted, a cookie carries an authenticated issue time (the signed
timestamp, the seal time): turning a verified payload into a session, the idle and
absolute timeouts, the creation time kept under ``_created``, the decision what a
response carries (``Vary``, deletion, a new cookie, a re-issue that may be skipped),
revocation and the operator events are the same for both, so they live here once;
the codec (:mod:`sessionware.interfaces.codecs`) only reads and writes its token.
Over ~300 lines for that reason: it is the one place the cookie policies are written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sessionware import events
from sessionware.config.settings import SessionConfig
from sessionware.cookies._header import add_vary_cookie, find_cookie
from sessionware.cookies.tagged import TaggedJSONSerializer
from sessionware.errors import PayloadTooLarge, SessionwareError
from sessionware.policies import _lifetime
from sessionware.policies.revocation import Revocation
from sessionware.sessions import (
    STORE_ERROR_KEY,
    SecureCookieSession,
    SessionMixin,
    StoreUnavailableSession,
)
from sessionware.stores._records import StoreError

from .base import Headers, SessionInterface, WSGIEnviron, parse_failure
from .codecs import CookieCodec, EncryptedCodec, SignedCodec

logger = logging.getLogger("sessionware")

#: The codecs whose cookies :meth:`CookieSessionInterface._open_plain` reads: exactly
#: these classes, whose ``read`` is known to be ``verify`` on the one copy.
_PLAIN_CODECS = (SignedCodec, EncryptedCodec)

__all__ = ["CookieSessionInterface"]


class CookieSessionInterface(SessionInterface):
    """A session interface whose whole session travels in the cookie.

    ::

        CookieSessionInterface()  # Flask's signed cookie, as SecureCookieSessionInterface
        CookieSessionInterface(codec=EncryptedCodec(), revocation=Revocation(store))

    The timeouts and size limits come from the :class:`~sessionware.SessionConfig`.

    :param codec: how the session becomes a cookie value: a
        :class:`~sessionware.interfaces.codecs.SignedCodec` (the default: Flask's
        cookie) or an :class:`~sessionware.interfaces.codecs.EncryptedCodec`.
    :param revocation: a :class:`~sessionware.policies.revocation.Revocation` to log
        users out everywhere; its cookies then keep their creation time (``_created``).
    :param salt: separates signatures from other uses of the secret key (signed
        cookies, and the server-side interfaces' signed IDs).
    :param digest_method: :mod:`hashlib` name of the HMAC digest. Flask uses SHA-1
        (still sound inside HMAC); choose ``"sha256"`` if you don't need Flask interop.
    :param serializer: turns session data into text and back.
    :param clock: see :class:`~sessionware.SessionInterface`.
    """

    #: A read-only request re-issues the cookie once its authenticated issue time is
    #: this fraction of ``idle_timeout`` old: fewer Set-Cookie headers, and an idle
    #: timeout that may fire up to this fraction early after the last request.
    idle_reissue_fraction: float = 0.1
    #: Keep the creation time (``_created``) in the session even without
    #: ``absolute_timeout``; subclasses that need it (revocation) turn it on.
    records_creation: bool = False
    #: How the session becomes a cookie value and back (shared: a codec keeps no
    #: per-interface state).
    codec: CookieCodec[Any] = SignedCodec()
    #: The "log out everywhere" policy, or ``None``.
    revocation: Revocation | None = None
    #: No subclass changed a step that :meth:`_open_plain` skips, so a signed cookie
    #: may be read that way (set for each subclass as it is defined).
    _plain_reads: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._plain_reads = all(
            getattr(cls, name) is getattr(CookieSessionInterface, name)
            for name in ("_open", "read_cookies", "first_valid_cookie", "_verified_cookie")
        )

    def __init__(
        self,
        *,
        codec: CookieCodec[Any] | None = None,
        revocation: Revocation | None = None,
        clock: Callable[[], float] | None = None,
        salt: str | None = None,
        digest_method: str | None = None,
        serializer: TaggedJSONSerializer | None = None,
    ) -> None:
        super().__init__(clock=clock, salt=salt, digest_method=digest_method, serializer=serializer)
        if codec is not None:
            if not isinstance(codec, CookieCodec):
                raise TypeError(
                    "codec must be a sessionware.interfaces.codecs.CookieCodec such as "
                    f"SignedCodec() or EncryptedCodec(), got {type(codec).__name__}."
                )
            self.codec = codec
        if revocation is not None:
            if not isinstance(revocation, Revocation):
                raise TypeError(
                    "revocation must be a sessionware.policies.revocation.Revocation, got "
                    f"{type(revocation).__name__}."
                )
            revocation.bind(self, self.clock)
            self.revocation = revocation
            self.records_creation = True

    def open_session(
        self, config: SessionConfig, environ: WSGIEnviron
    ) -> SecureCookieSession | None:
        """Open the request's cookie and return its session, refused if revoked.

        A missing, tampered, expired or garbled cookie gives a fresh empty session
        (logged with the reason); ``None`` only when no key is configured.
        """
        session = self._open_session(config, environ)
        if session is None or session.new or self.revocation is None:
            return session
        return self._unless_revoked(config, environ, session, self.revocation)

    @property
    def reissue_reason(self) -> str:
        """What the warning says is being done when an unchanged session re-issued for
        another reason than an expiry refresh no longer fits (the codec's words)."""
        return self.codec.reissue_reason

    def _open_session(
        self, config: SessionConfig, environ: WSGIEnviron
    ) -> SecureCookieSession | None:
        """:meth:`open_session` before revocation: the codec reads the cookie.

        A missing, tampered, expired or garbled cookie gives a fresh empty session
        (logged with the reason); ``None`` only when no key is configured.
        """
        codec = self.codec
        keys = codec.keys(self, config)
        if keys is None:
            return None
        header = environ.get("HTTP_COOKIE")
        if not header:
            return self.session_class()  # no cookie at all: nothing to read or refuse
        # Whatever reading the cookie raises, the request gets a fresh session
        # (parse_safely's rule, inlined: this runs on every request with a cookie).
        try:
            session = None
            if self._plain_reads and config.max_chunks == 1 and type(codec) in _PLAIN_CODECS:
                session = self._open_plain(config, header, codec, keys)
            if session is None:
                session = self._open(config, environ, keys)
        except SessionwareError:
            raise
        except Exception as exc:  # bad input must never fail the request
            self.log_refused(config, parse_failure(exc))
            session = self.session_class()
        if config.max_chunks > 1:
            self.note_chunks(config, environ, session)
        return session

    def _open(self, config: SessionConfig, environ: WSGIEnviron, keys: Any) -> SecureCookieSession:
        """The session the codec's reading of the cookie gives, fresh if none."""
        read = self.codec.read(self, config, environ, keys)
        if read is None:
            return self.session_class()
        value, payload, issued, rotated = read
        session = self._loaded_session(
            config, payload, self.codec.kind, issued=issued, rotated=rotated
        )
        if session is None:
            return self.session_class()
        session.loaded_cookie = value
        return session

    def _open_plain(
        self, config: SessionConfig, header: str, codec: CookieCodec[Any], keys: Any
    ) -> SecureCookieSession | None:
        """:meth:`_open` for the usual request: one copy of an unchunked cookie that
        ``codec`` accepts, or none at all, read without the steps for several copies and
        chunks (about 7,000 instructions in CPython 3.11).

        ``None`` for any other request (copies, a refusal): :meth:`_open` then reads
        it the long way, which says why it refuses it.
        """
        try:
            value = find_cookie(header, config.cookie_name)
            if value is None:
                return self.session_class()
            payload, issued, rotated = codec.verify(value, self, config, keys)
        except Exception:  # refused, or not plain: the long way reads it and logs why
            return None
        session = self._loaded_session(config, payload, codec.kind, issued=issued, rotated=rotated)
        if session is None:
            return self.session_class()
        session.loaded_cookie = value
        return session

    def _unless_revoked(
        self,
        config: SessionConfig,
        environ: WSGIEnviron,
        session: SecureCookieSession,
        revocation: Revocation,
    ) -> SecureCookieSession:
        """``session``, or a fresh one if its user was revoked since it began; a
        read-only empty one if the store failed and ``on_store_error`` is ``"null"``."""
        try:
            late = revocation.revoked_since(session.data, session.created_at)
        except StoreError as exc:
            events.emit("store_error", reason=exc.reason, interface=self)
            if revocation.on_store_error == "raise":
                raise
            logger.error("%s Serving a read-only empty session.", exc.reason)
            environ[STORE_ERROR_KEY] = exc
            return StoreUnavailableSession()
        if late is None:
            return session
        self.log_refused(
            config,
            f"its user's sessions were revoked {late} seconds after it began",
            code="revoked",
        )
        return self.session_class()

    def _loaded_session(
        self, config: SessionConfig, payload: bytes, kind: str, *, issued: int, rotated: bool
    ) -> SecureCookieSession | None:
        """The session a verified payload holds, issued at ``issued`` and due for
        re-issue under the current key if ``rotated``.

        ``None`` (logged) when it is not a tagged JSON object, or timed out. ``kind``
        names the payload in the log (``"signed"``).
        """
        try:
            text = payload.decode("utf-8")
            data = self.serializer.loads(text)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            self.log_refused(config, f"the {kind} payload is not a tagged JSON object")
            return None
        session = self.session_class(data, new=False)
        session.loaded_text = text
        session.rotated = session.reissue = rotated
        if (
            config.idle_seconds is None
            and config.absolute_seconds is None
            and not self.records_creation
        ):
            return session  # no timeout to check, no creation time to keep
        if self._timed_out(config, session, issued):
            return None
        return session

    def _timed_out(self, config: SessionConfig, session: SecureCookieSession, issued: int) -> bool:
        """Whether ``session``, whose cookie was issued at ``issued``, timed out (logged).

        Otherwise note its creation time and whether a read must re-issue the cookie
        to renew the idle clock.
        """
        if config.idle_seconds is None and config.absolute_seconds is None:
            if self.records_creation:
                session.created_at = _lifetime.created_at(session.data, issued)
            return False
        now = self.clock()
        created = session.created_at = _lifetime.created_at(session.data, issued)
        refused = _lifetime.refusal(config, now, issued, created)
        if refused is not None:
            self.log_refused(config, refused.reason, expired=True, code=refused.code)
            return True
        if _lifetime.reissue_due(config, now, issued, self.idle_reissue_fraction):
            session.reissue = True
        return False

    def _record_creation(self, config: SessionConfig, session: SecureCookieSession) -> bool:
        """Write the creation time into a non-empty session that needs it; return
        whether that changed the data (the session is then marked modified)."""
        data = session.data
        if not data or (config.absolute_seconds is None and not self.records_creation):
            return False
        created = session.created_at
        if session.regenerated or created is None:
            created = int(self.clock())
        if data.get(_lifetime.CREATED_KEY) == created:
            return False
        data[_lifetime.CREATED_KEY] = created
        session.modified = True
        return True

    def save_session(self, config: SessionConfig, session: SessionMixin, headers: Headers) -> None:
        """Add ``Vary: Cookie`` if the session was read, and the cookie if it must go.

        An emptied session deletes the cookie. One the handler changed that no longer
        fits raises :class:`~sessionware.errors.CookieTooLarge`, and one whose
        serialized data is over ``max_payload_size`` raises
        :class:`~sessionware.errors.PayloadTooLarge`. An unchanged one re-issued (expiry
        refresh, key rotation, ``regenerate()``, idle renewal) that no longer fits is not
        sent and a warning is logged: the browser's cookie still holds the data.
        """
        if session.accessed:
            add_vary_cookie(headers)
        data, text = self._data_to_save(config, session)
        if not data:
            if session.modified:
                self.delete_cookie(config, headers)
                self.delete_stale_chunks(config, session, headers, 1)
            return
        if not self.should_set_cookie(config, session):
            return
        codec = self.codec
        keys = codec.keys(self, config)
        if keys is None:  # pragma: no cover - a session exists only with a key
            return
        value = codec.write(self, config, session, data, text, keys)
        reissue = None
        if not session.modified:
            # Unchanged data: the browser's cookie holds it already, so a re-issue that
            # no longer fits must not fail the request.
            reissue = (
                self.reissue_reason
                if getattr(session, "reissue", False)
                else "refreshing its expiry"
            )
        if self.set_cookie(config, session, headers, value, reissue=reissue) and (
            session.new
            or getattr(session, "regenerated", False)
            or getattr(session, "rotated", False)
        ):
            self._emit_saved(config, session)

    def _data_to_save(
        self, config: SessionConfig, session: SessionMixin
    ) -> tuple[dict[str, Any], str | None]:
        """The data to save and, when this already serialized it, its text.

        An in-place change to a nested value marks the session modified here, and the
        creation time is written where due.
        """
        if not isinstance(session, SecureCookieSession):
            return dict(session), None
        data = session.data
        text: str | None = None
        if not session.modified and session.may_have_mutated:
            text = self.serializer.dumps(data)
            if text != (session.loaded_text or "{}"):
                session.modified = True
        if (config.absolute_seconds is not None or self.records_creation) and self._record_creation(
            config, session
        ):
            text = None
        return data, text

    def _checked_text(self, config: SessionConfig, data: dict[str, Any], text: str | None) -> str:
        """``data`` serialized (``text`` when known), within ``max_payload_size``.

        Compressed, a larger payload might still fit the cookie, but it would be
        refused when read.

        :raises PayloadTooLarge: it is over ``max_payload_size``.
        """
        if text is None:
            text = self.serializer.dumps(data)
        if len(text) > config.max_payload_size:
            raise PayloadTooLarge(config.cookie_name, len(text), config.max_payload_size)
        return text

    def _emit_saved(self, config: SessionConfig, session: SessionMixin) -> None:
        """The events of a cookie that was sent: created, regenerated, rotated."""
        name = config.cookie_name
        if session.new:
            events.emit("created", cookie_name=name, interface=self)
        elif getattr(session, "regenerated", False):
            events.emit("regenerated", cookie_name=name, interface=self)
        if getattr(session, "rotated", False):
            events.emit("rotated", cookie_name=name, interface=self)
