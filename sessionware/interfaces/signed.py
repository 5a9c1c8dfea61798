"""Sessions kept entirely in a signed cookie, readable by Flask and back."""

from __future__ import annotations

from typing import Any

from sessionware.config.settings import SessionConfig
from sessionware.cookies._signing import COMPRESS_FROM, CookieSigner
from sessionware.sessions import SecureCookieSession, SessionMixin

from .base import WSGIEnviron
from .cookie import CookieSessionInterface

__all__ = ["SecureCookieSessionInterface"]


class SecureCookieSessionInterface(CookieSessionInterface):
    """Stores the whole session in a cookie signed with itsdangerous.

    With the default salt and digest the cookie is the one Flask writes for the same
    secret key, so a Flask app and any other WSGI app can share a login. It is the
    same byte for byte, except that a compressed payload is deflated with a smaller
    window, which its zlib header names (Flask inflates it all the same).

    Signed is not encrypted: the client can read (but not change) everything in the
    session. A copied cookie stays valid until it expires, even after logout.

    :param salt: separates session signatures from other uses of the secret key.
    :param digest_method: :mod:`hashlib` name of the HMAC digest. Flask uses SHA-1
        (still sound inside HMAC); choose ``"sha256"`` if you don't need Flask interop.
    :param serializer: turns session data into text and back.
    :param clock: see :class:`~sessionware.SessionInterface`.
    :param revocation: a :class:`~sessionware.policies.revocation.Revocation`: log a
        user out everywhere (see :class:`CookieSessionInterface`).

    With ``idle_timeout`` set, a read-only request re-issues the cookie (renewing its
    signed timestamp, the idle clock) once the cookie is :attr:`idle_reissue_fraction`
    of the timeout old; with ``absolute_timeout`` set, the creation time is kept
    signed in the session under ``_created``. See ``docs/lifetime.md``.
    """

    reissue_reason = "re-signing it (key rotation or regenerate())"
    #: Serialized sessions shorter than this many bytes are signed uncompressed, without
    #: trying zlib (it saves a few bytes there, at a cost on every write and read; see
    #: ``docs/performance.md``). From this size on the choice is Flask's. Set it to 0
    #: in a subclass (or on an instance) to try zlib on every payload as Flask does,
    #: which writes Flask's cookie byte for byte.
    compress_from: int = COMPRESS_FROM

    def _open_session(
        self, config: SessionConfig, environ: WSGIEnviron
    ) -> SecureCookieSession | None:
        """Verify the request's cookie and return its session.

        A missing, tampered, expired or garbled cookie gives a fresh empty session
        (logged with the reason); ``None`` only when no secret key is configured.
        """
        signer = self._signer(config)
        if signer is None:
            return None
        # Whatever reading the cookie raises, the request gets a fresh session.
        session = self.parse_safely(config, self._open, config, environ, signer)
        if session is None:
            session = self.session_class()
        self.note_chunks(config, environ, session)
        return session

    def _open(
        self, config: SessionConfig, environ: WSGIEnviron, signer: CookieSigner
    ) -> SecureCookieSession:
        verified = self._verified_cookie(config, signer, environ)
        if verified is None:
            return self.session_class()
        value, payload, key_index, signed_at = verified
        session = self._loaded_session(
            config, payload, "signed", issued=signed_at, rotated=key_index > 0
        )
        if session is None:
            return self.session_class()
        session.loaded_cookie = value
        return session

    def _cookie_value(
        self,
        config: SessionConfig,
        session: SessionMixin,
        data: dict[str, Any],
        text: str | None,
    ) -> str | None:
        signer = self._signer(config)
        if signer is None:  # pragma: no cover - a session exists only with a key
            return None
        if (
            not session.modified
            and isinstance(session, SecureCookieSession)
            and session.loaded_cookie is not None
        ):
            # Unchanged data being re-issued (refresh, rotation): the payload part of
            # the cookie it came in is still right; only the signature is new.
            payload = session.loaded_cookie.rsplit(".", 2)[0]
            return signer.sign(payload.encode("ascii"), int(self.clock()))
        text = self._checked_text(config, data, text)
        return signer.dumps(
            text.encode("ascii"), int(self.clock()), compress_from=self.compress_from
        )
