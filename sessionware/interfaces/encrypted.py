"""Sessions kept entirely in an encrypted cookie (AES-256-GCM, ``sessionware[crypto]``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sessionware.config.settings import SessionConfig
from sessionware.cookies.tagged import TaggedJSONSerializer
from sessionware.policies.revocation import Revocation

from .codecs import EncryptedCodec
from .cookie import CookieSessionInterface

if TYPE_CHECKING:
    from sessionware.cookies._sealing import CookieSealer

__all__ = ["EncryptedCookieSessionInterface"]


class EncryptedCookieSessionInterface(CookieSessionInterface):
    """Stores the whole session in a cookie the client can neither read nor change.

    The shortcut for ``CookieSessionInterface(codec=EncryptedCodec(...))``.

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

    codec: EncryptedCodec

    def __init__(
        self,
        *,
        compress: bool = False,
        purpose: str | None = None,
        serializer: TaggedJSONSerializer | None = None,
        clock: Callable[[], float] | None = None,
        revocation: Revocation | None = None,
    ) -> None:
        codec = EncryptedCodec(
            compress=compress, purpose=EncryptedCodec.purpose if purpose is None else purpose
        )
        super().__init__(codec=codec, clock=clock, serializer=serializer, revocation=revocation)

    @property
    def purpose(self) -> str:
        """What the cookie is for, bound into every token's associated data."""
        return self.codec.purpose

    @property
    def compress(self) -> bool:
        """Whether the session is zlib-compressed before it is encrypted."""
        return self.codec.compress

    def _sealer(self, config: SessionConfig) -> CookieSealer | None:
        """The sealer for ``config``'s keys, built once; ``None`` without any key."""
        return self.codec.sealer(config)
