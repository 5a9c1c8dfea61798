"""Sessions kept entirely in an encrypted cookie (AES-256-GCM, ``sessionware[crypto]``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sessionware.config.settings import SessionConfig
from sessionware.cookies.tagged import TaggedJSONSerializer
from sessionware.policies.revocation import Revocation
from sessionware.sessions import SecureCookieSession, SessionMixin

from .base import WSGIEnviron
from .cookie import CookieSessionInterface

if TYPE_CHECKING:
    from sessionware.cookies._sealing import CookieSealer, Opened

__all__ = ["EncryptedCookieSessionInterface"]

logger = logging.getLogger("sessionware")


class EncryptedCookieSessionInterface(CookieSessionInterface):
    """Stores the whole session in a cookie the client can neither read nor change.

    The cookie is sealed with AES-256-GCM under the config's
    :class:`~sessionware.KeyRing` (``keyring`` or ``keyring_file``), or, without a
    ring, under a key derived from ``secret_key`` (``secret_key_fallbacks`` still
    read). The token names its key, so reading picks the key by ID; a cookie of an
    older unretired key is re-encrypted with the current key on the same response, and
    one of a retired or unknown key is refused. Its seal time is authenticated and
    checked on the server against ``permanent_lifetime``, as for signed cookies. A
    cookie moved into another cookie name, made for another purpose, or signed
    instead of encrypted is refused. Of several copies of the cookie in one request
    (cookie tossing), the first that decrypts is used, never a merge.

    ``idle_timeout`` and ``absolute_timeout`` apply as to signed cookies: the seal
    time is the idle clock (a read-only request re-encrypts the cookie once it is
    :attr:`idle_reissue_fraction` of the timeout old), and the creation time is kept
    under ``_created``, inside the ciphertext. See ``docs/lifetime.md``.

    Flask cannot read these cookies; use
    :class:`~sessionware.SecureCookieSessionInterface` to share a login with Flask.
    Like a signed cookie, an encrypted one cannot be revoked before it expires;
    :class:`~sessionware.RevocableEncryptedCookieSessionInterface` refuses a user's
    older ones.

    :param compress: zlib-compress the session before encrypting it. Off by default:
        when attacker-influenced data sits next to a secret in the session, the
        compressed length leaks the secret (CRIME/BREACH). Turn it on only for
        sessions that hold no such mix.
    :param purpose: bound into every token; cookies made for one purpose are refused
        by an interface with another.
    :param serializer: turns session data into text and back.
    :param clock: see :class:`~sessionware.SessionInterface`; it also dates key
        activation and retirement.
    :param revocation: see :class:`CookieSessionInterface`.
    :raises ImportError: ``cryptography`` is not installed (``pip install
        sessionware[crypto]``).
    """

    #: What the cookie is for, bound into every token's associated data.
    purpose: str = "session"
    reissue_reason = "re-encrypting it (key rotation, regenerate() or idle_timeout)"

    def __init__(
        self,
        *,
        compress: bool = False,
        purpose: str | None = None,
        serializer: TaggedJSONSerializer | None = None,
        clock: Callable[[], float] | None = None,
        revocation: Revocation | None = None,
    ) -> None:
        super().__init__(clock=clock, serializer=serializer, revocation=revocation)
        # Imported here, not at the top, so that `import sessionware` never needs
        # cryptography; building this interface without it names the extra.
        from sessionware.cookies import _sealing

        self._sealing = _sealing
        if not isinstance(compress, bool):
            raise TypeError(f"compress must be True or False, got {compress!r}.")
        self.compress = compress
        if purpose is not None:
            if not isinstance(purpose, str) or not purpose:
                raise ValueError(f"purpose must be a non-empty str, got {purpose!r}.")
            self.purpose = purpose
        self._sealers: dict[int, tuple[SessionConfig, CookieSealer | None]] = {}

    def _sealer(self, config: SessionConfig) -> CookieSealer | None:
        """The sealer for ``config``'s keys, built once; ``None`` without any key."""
        entry = self._sealers.get(id(config))
        if entry is not None and entry[0] is config:
            return entry[1]
        sealer = None
        if config.keyring is not None or config.secret_key:
            sealer = self._sealing.CookieSealer(
                config.keyring,
                config.secret_key,
                config.secret_key_fallbacks,
                purpose=self.purpose,
                compress=self.compress,
            )
        self._sealers[id(config)] = (config, sealer)
        return sealer

    def _open_session(
        self, config: SessionConfig, environ: WSGIEnviron
    ) -> SecureCookieSession | None:
        """Decrypt the request's cookie and return its session.

        A missing, altered, expired, misplaced or garbled cookie gives a fresh empty
        session (logged with the reason); ``None`` only when no key is configured.
        """
        sealer = self._sealer(config)
        if sealer is None:
            return None
        # Whatever reading the cookie raises, the request gets a fresh session.
        session = self.parse_safely(config, self._open, config, environ, sealer)
        if session is None:
            session = self.session_class()
        self.note_chunks(config, environ, session)
        return session

    def _opened_cookie(
        self, config: SessionConfig, environ: WSGIEnviron, sealer: CookieSealer
    ) -> Opened | None:
        """The payload of the request's cookie, whether the current key sealed it and
        when; ``None`` when there is no cookie that decrypts (a refused one is logged).

        As for signed cookies, of several copies of the cookie (another ``Domain`` or
        ``Path``, or planted by a sibling subdomain) the first that decrypts is used,
        the others ignored, never merged; with none, one line says so.
        """
        clock = self.clock()

        def decrypt(value: str) -> Opened:
            return sealer.open(
                value,
                clock,
                config.lifetime_seconds,
                config.cookie_name,
                skew=config.clock_skew_seconds,
                max_payload=config.max_payload_size,
            )

        found = self.first_valid_cookie(config, environ, decrypt, "decrypts")
        return None if found is None else found[1]

    def _open(
        self, config: SessionConfig, environ: WSGIEnviron, sealer: CookieSealer
    ) -> SecureCookieSession:
        opened = self._opened_cookie(config, environ, sealer)
        if opened is None:
            return self.session_class()
        payload, current, sealed_at = opened
        session = self._loaded_session(
            config, payload, "decrypted", issued=sealed_at, rotated=not current
        )
        return self.session_class() if session is None else session

    def _cookie_value(
        self,
        config: SessionConfig,
        session: SessionMixin,
        data: dict[str, Any],
        text: str | None,
    ) -> str | None:
        sealer = self._sealer(config)
        if sealer is None:  # pragma: no cover - a session exists only with a key
            return None
        if text is None and not session.modified and isinstance(session, SecureCookieSession):
            text = session.loaded_text  # unchanged: what the cookie held is still right
        text = self._checked_text(config, data, text)
        return sealer.seal(text.encode("ascii"), self.clock(), config.cookie_name)
