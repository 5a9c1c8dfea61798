"""Codecs: how a cookie interface turns the session's text into a cookie value and back.

A codec is a value :class:`~sessionware.interfaces.cookie.CookieSessionInterface`
takes (``codec=``): :class:`SignedCodec`, the default, writes Flask's signed cookie;
:class:`EncryptedCodec` an AES-256-GCM token. Everything else a cookie interface does
(timeouts, rotation, ``Vary``, the size limits, revocation, events) is the
interface's, written once for both. A codec keeps per-config key material (a signer,
a sealer) built once; the per-request work is one verify or decrypt and one sign or
seal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from sessionware.config.settings import SessionConfig
from sessionware.cookies._signing import COMPRESS_FROM, CookieSigner
from sessionware.sessions import SecureCookieSession, SessionMixin

from .base import WSGIEnviron

if TYPE_CHECKING:
    from sessionware.cookies._sealing import CookieSealer

    from .cookie import CookieSessionInterface

__all__ = ["CookieCodec", "EncryptedCodec", "Read", "SignedCodec", "Verified"]

#: What a codec reads and writes with for one config: a signer, a sealer.
Keys = TypeVar("Keys")


#: A cookie a codec accepted: its value, verified payload and authenticated issue time
#: (Unix seconds), and whether an older key made it (the response re-issues it). A
#: plain tuple: a named one costs a Python-level ``__new__`` on every request.
Read = tuple[str, bytes, int, bool]
#: One cookie value a codec accepted: the :data:`Read` without the value.
Verified = tuple[bytes, int, bool]


class CookieCodec(Generic[Keys]):
    """What a codec gives the cookie interface; see :class:`SignedCodec`.

    ``interface`` is passed to each method, not kept: one codec value may serve
    several interfaces, and the interface's clock, caches and log are used.
    :meth:`keys` is asked once per request and its answer handed to :meth:`read` or
    :meth:`write`.
    """

    #: Names the payload in the log ("the signed payload is not ...").
    kind: str = "encoded"
    #: What the warning says is being done when unchanged data re-issued for a reason
    #: other than an expiry refresh no longer fits the cookie.
    reissue_reason: str = "re-issuing it"

    def keys(self, interface: CookieSessionInterface, config: SessionConfig) -> Keys | None:
        """What reads and writes ``config``'s cookies; ``None`` when it holds no key
        this codec can use (the request then gets a null session)."""
        raise NotImplementedError(f"{type(self).__name__}.keys(interface, config)")

    def read(
        self,
        interface: CookieSessionInterface,
        config: SessionConfig,
        environ: WSGIEnviron,
        keys: Keys,
    ) -> Read | None:
        """The request's cookie that this codec accepts, or ``None`` (a refused one is
        logged). Of several copies, the first accepted wins, never a merge."""
        raise NotImplementedError(f"{type(self).__name__}.read(interface, config, environ, keys)")

    def verify(
        self, value: str, interface: CookieSessionInterface, config: SessionConfig, keys: Keys
    ) -> Verified:
        """Accept one cookie value: its payload, authenticated issue time, and whether
        an older key made it; raise :class:`~sessionware.cookies._signing.BadCookie` (or
        any error) to refuse it.

        The interface calls the built-in codecs' directly for a request that carries
        one copy of an unchunked cookie, skipping :meth:`read`; a codec of your own
        needs only :meth:`read`, which is always what reads its cookies.
        """
        raise NotImplementedError(f"{type(self).__name__}.verify(value, interface, config, keys)")

    def write(
        self,
        interface: CookieSessionInterface,
        config: SessionConfig,
        session: SessionMixin,
        data: dict[str, Any],
        text: str | None,
        keys: Keys,
    ) -> str:
        """The cookie value carrying ``data`` (serialized as ``text``, when known;
        :meth:`CookieSessionInterface._checked_text
        <sessionware.interfaces.cookie.CookieSessionInterface._checked_text>` gives it)."""
        raise NotImplementedError(f"{type(self).__name__}.write(interface, config, ...)")


class SignedCodec(CookieCodec[CookieSigner]):
    """Flask's cookie: the session's tagged JSON, signed with itsdangerous.

    The key is the interface's signer (``secret_key``, its fallbacks, or a key ring),
    with the interface's ``salt`` and ``digest_method``.

    :param compress_from: serialized sessions shorter than this many bytes are signed
        uncompressed without trying zlib, which saves a few bytes there at a cost on
        every write and every read (see ``docs/performance.md``). From this size on,
        the choice is Flask's (compressed when that is two bytes shorter). 0 tries
        every payload, as Flask does, and writes Flask's cookie byte for byte.
    """

    kind = "signed"
    reissue_reason = "re-signing it (key rotation or regenerate())"

    def __init__(self, *, compress_from: int = COMPRESS_FROM) -> None:
        if isinstance(compress_from, bool) or not isinstance(compress_from, int):
            raise TypeError(f"compress_from must be an int number of bytes, got {compress_from!r}.")
        if compress_from < 0:
            raise ValueError(
                f"compress_from must be 0 or more bytes, got {compress_from}; 0 tries zlib "
                "on every payload, as Flask does."
            )
        self.compress_from = compress_from

    def __repr__(self) -> str:
        return f"SignedCodec(compress_from={self.compress_from})"

    def keys(self, interface: CookieSessionInterface, config: SessionConfig) -> CookieSigner | None:
        """The interface's signer for ``config`` (its ``salt`` and ``digest_method``)."""
        return interface._signer(config)

    def read(
        self,
        interface: CookieSessionInterface,
        config: SessionConfig,
        environ: WSGIEnviron,
        keys: CookieSigner,
    ) -> Read | None:
        """The first copy of the cookie whose signature verifies and whose signed
        timestamp is within ``permanent_lifetime``."""
        verified = interface._verified_cookie(config, keys, environ)
        if verified is None:
            return None
        value, payload, key_index, signed_at = verified
        return value, payload, signed_at, key_index > 0

    def verify(
        self,
        value: str,
        interface: CookieSessionInterface,
        config: SessionConfig,
        keys: CookieSigner,
    ) -> Verified:
        """The payload of ``value`` if its signature verifies and its signed timestamp
        is within ``permanent_lifetime``."""
        payload, key_index, signed_at = keys.loads(
            value,
            interface.clock(),
            config.lifetime_seconds,
            config.clock_skew_seconds,
            config.max_payload_size,
        )
        return payload, signed_at, key_index > 0

    def write(
        self,
        interface: CookieSessionInterface,
        config: SessionConfig,
        session: SessionMixin,
        data: dict[str, Any],
        text: str | None,
        keys: CookieSigner,
    ) -> str:
        """Sign ``data``; unchanged data re-issued keeps its cookie's payload part."""
        now = int(interface.clock())
        if (
            not session.modified
            and isinstance(session, SecureCookieSession)
            and session.loaded_cookie is not None
        ):
            # Unchanged data being re-issued (refresh, rotation): the payload part of
            # the cookie it came in is still right; only the signature is new.
            payload = session.loaded_cookie.rsplit(".", 2)[0]
            return keys.sign(payload.encode("ascii"), now)
        text = interface._checked_text(config, data, text)
        return keys.dumps(text.encode("ascii"), now, compress_from=self.compress_from)


class EncryptedCodec(CookieCodec["CookieSealer"]):
    """An AES-256-GCM token the client can neither read nor change (``sessionware[crypto]``).

    Sealed under the config's :class:`~sessionware.KeyRing` (``keyring`` or
    ``keyring_file``), or under a key derived from ``secret_key`` (its fallbacks
    still read). The token names its key and binds the cookie's name and
    ``purpose``; see :class:`~sessionware.EncryptedCookieSessionInterface`.

    :param compress: zlib-compress before encrypting. Off by default: next to a
        secret, attacker-influenced data makes the compressed length leak the secret
        (CRIME/BREACH).
    :param purpose: bound into every token; tokens made for another purpose are refused.
    :raises ImportError: ``cryptography`` is not installed (``pip install
        sessionware[crypto]``).
    """

    kind = "decrypted"
    reissue_reason = "re-encrypting it (key rotation, regenerate() or idle_timeout)"
    #: What the cookie is for, bound into every token's associated data.
    purpose: str = "session"
    #: Whether the session is zlib-compressed before it is encrypted.
    compress: bool = False

    def __init__(self, *, compress: bool = False, purpose: str = purpose) -> None:
        # Imported here, not at the top, so that `import sessionware` never needs
        # cryptography; building this codec without it names the extra.
        from sessionware.cookies import _sealing

        self._sealing = _sealing
        if not isinstance(compress, bool):
            raise TypeError(f"compress must be True or False, got {compress!r}.")
        if not isinstance(purpose, str) or not purpose:
            raise ValueError(f"purpose must be a non-empty str, got {purpose!r}.")
        self.compress = compress
        self.purpose = purpose
        self._sealers: dict[int, tuple[SessionConfig, CookieSealer | None]] = {}

    def __repr__(self) -> str:
        return f"EncryptedCodec(compress={self.compress}, purpose={self.purpose!r})"

    def sealer(self, config: SessionConfig) -> CookieSealer | None:
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
        # The config is kept in the entry so that its id cannot be reused meanwhile.
        self._sealers[id(config)] = (config, sealer)
        return sealer

    def keys(self, interface: CookieSessionInterface, config: SessionConfig) -> CookieSealer | None:
        """The sealer for ``config``'s key ring or secret key."""
        return self.sealer(config)

    def read(
        self,
        interface: CookieSessionInterface,
        config: SessionConfig,
        environ: WSGIEnviron,
        keys: CookieSealer,
    ) -> Read | None:
        """The first copy of the cookie that decrypts, within ``permanent_lifetime``,
        for this cookie name and purpose."""
        found = interface.first_valid_cookie(
            config, environ, self.verify, "decrypts", interface, config, keys
        )
        if found is None:
            return None
        value, (payload, sealed_at, rotated) = found
        return value, payload, sealed_at, rotated

    def verify(
        self,
        value: str,
        interface: CookieSessionInterface,
        config: SessionConfig,
        keys: CookieSealer,
    ) -> Verified:
        """The payload of ``value`` if it decrypts, within ``permanent_lifetime``, for
        this cookie name and purpose."""
        payload, current, sealed_at = keys.open(
            value,
            interface.clock(),
            config.lifetime_seconds,
            config.cookie_name,
            config.clock_skew_seconds,
            config.max_payload_size,
        )
        return payload, sealed_at, not current

    def write(
        self,
        interface: CookieSessionInterface,
        config: SessionConfig,
        session: SessionMixin,
        data: dict[str, Any],
        text: str | None,
        keys: CookieSealer,
    ) -> str:
        """Seal ``data`` under the current key, with a fresh nonce."""
        if text is None and not session.modified and isinstance(session, SecureCookieSession):
            text = session.loaded_text  # unchanged: what the cookie held is still right
        text = interface._checked_text(config, data, text)
        return keys.seal(text.encode("ascii"), interface.clock(), config.cookie_name)
