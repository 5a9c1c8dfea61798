"""Sessions kept entirely in a signed cookie, readable by Flask and back."""

from __future__ import annotations

from . import _lifetime
from ._cookie_interface import CookieSessionInterface
from ._cookies import add_vary_cookie
from ._signing import CookieSigner
from .config import SessionConfig
from .errors import PayloadTooLarge
from .interface import Headers, WSGIEnviron
from .sessions import SecureCookieSession, SessionMixin

__all__ = ["SecureCookieSessionInterface"]


class SecureCookieSessionInterface(CookieSessionInterface):
    """Stores the whole session in a cookie signed with itsdangerous.

    With the default salt and digest the cookie is byte for byte the one Flask writes
    for the same secret key, so a Flask app and any other WSGI app can share a login.

    Signed is not encrypted: the client can read (but not change) everything in the
    session. A copied cookie stays valid until it expires, even after logout.

    :param salt: separates session signatures from other uses of the secret key.
    :param digest_method: :mod:`hashlib` name of the HMAC digest. Flask uses SHA-1
        (still sound inside HMAC); choose ``"sha256"`` if you don't need Flask interop.
    :param serializer: turns session data into text and back.
    :param clock: see :class:`~sessionware.SessionInterface`.

    With ``idle_timeout`` set, a read-only request re-issues the cookie (renewing its
    signed timestamp, the idle clock) once the cookie is :attr:`idle_reissue_fraction`
    of the timeout old; with ``absolute_timeout`` set, the creation time is kept
    signed in the session under ``_created``. See ``docs/lifetime.md``.
    """

    def open_session(
        self, config: SessionConfig, environ: WSGIEnviron
    ) -> SecureCookieSession | None:
        """Verify the request's cookie and return its session.

        A missing, tampered, expired or garbled cookie gives a fresh empty session
        (logged with the reason); ``None`` only when no secret key is configured.
        """
        signer = self._signer(config)
        if signer is None:
            return None
        session = self._open(config, environ, signer)
        self.note_chunks(config, environ, session)
        return session

    def _open(
        self, config: SessionConfig, environ: WSGIEnviron, signer: CookieSigner
    ) -> SecureCookieSession:
        verified = self._verified_cookie(config, signer, environ)
        if verified is None:
            return self.session_class()
        value, payload, key_index = verified
        try:
            text = payload.decode("utf-8")
            data = self.serializer.loads(text)
        except (ValueError, RecursionError):
            data = None
        if not isinstance(data, dict):
            self.log_refused(config, "the signed payload is not a tagged JSON object")
            return self.session_class()
        session = self.session_class(data, new=False)
        session.loaded_text = text
        session.loaded_cookie = value
        session.rotated = session.reissue = key_index > 0
        if self._timed_out(config, session, _lifetime.signed_at(value)):
            return self.session_class()
        return session

    def save_session(self, config: SessionConfig, session: SessionMixin, headers: Headers) -> None:
        """Add ``Vary: Cookie`` if the session was read, and the cookie if it must go.

        An emptied session deletes the cookie; one the handler changed that no longer
        fits raises :class:`~sessionware.errors.CookieTooLarge`. An unchanged one
        re-issued (refresh, key rotation, ``regenerate()``) that no longer fits is
        not sent and a warning is logged: the browser's cookie still holds the data.
        """
        if session.accessed:
            add_vary_cookie(headers)
        text: str | None = None
        reuse: str | None = None
        if isinstance(session, SecureCookieSession):
            data = session.data
            if not session.modified and session.may_have_mutated:
                text = self.serializer.dumps(data)
                if text != (session.loaded_text or "{}"):
                    session.modified = True
            if self._record_creation(config, session):
                text = None
            if not session.modified:
                # Unchanged data being re-issued (refresh, rotation): the payload part
                # of the cookie it came in is still right; only the signature is new.
                reuse = session.loaded_cookie
        else:
            data = dict(session)
        if not data:
            if session.modified:
                self.delete_cookie(config, headers)
                self.delete_stale_chunks(config, session, headers, 1)
            return
        if not self.should_set_cookie(config, session):
            return
        signer = self._signer(config)
        if signer is None:  # pragma: no cover - a session exists only with a key
            return
        if reuse is not None:
            value = signer.sign(reuse.rsplit(".", 2)[0].encode("ascii"), int(self.clock()))
        else:
            if text is None:
                text = self.serializer.dumps(data)
            if len(text) > config.max_payload_size:
                raise PayloadTooLarge(config.cookie_name, len(text), config.max_payload_size)
            value = signer.dumps(text.encode("ascii"), int(self.clock()))
        reissue = None
        if not session.modified:
            # Unchanged data: the browser's cookie holds it already, so a re-issue that
            # no longer fits must not fail the request.
            reissue = (
                "re-signing it (key rotation or regenerate())"
                if getattr(session, "reissue", False)
                else "refreshing its expiry"
            )
        if self.set_cookie(config, session, headers, value, reissue=reissue):
            self._emit_saved(config, session)
