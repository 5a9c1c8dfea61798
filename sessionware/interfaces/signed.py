"""Sessions kept entirely in a signed cookie, readable by Flask and back."""

from __future__ import annotations

from collections.abc import Callable

from sessionware.cookies.tagged import TaggedJSONSerializer
from sessionware.policies.revocation import Revocation

from .codecs import SignedCodec
from .cookie import CookieSessionInterface

__all__ = ["SecureCookieSessionInterface"]


class SecureCookieSessionInterface(CookieSessionInterface):
    """Stores the whole session in a cookie signed with itsdangerous: the default.

    The shortcut for ``CookieSessionInterface(codec=SignedCodec(...))``.

    With the default salt and digest the cookie is the one Flask writes for the same
    secret key, so a Flask app and any other WSGI app can share a login. It is the
    same byte for byte, except that a compressed payload is deflated with a smaller
    window, which its zlib header names (Flask inflates it all the same), and that a
    session under ``compress_from`` bytes is not compressed where Flask would save a
    few bytes (Flask reads it all the same).

    Signed is not encrypted: the client can read (but not change) everything in the
    session. A copied cookie stays valid until it expires, even after logout.

    :param compress_from: see :class:`~sessionware.interfaces.codecs.SignedCodec`:
        serialized sessions under this many bytes (256) are signed uncompressed; 0
        tries zlib on every payload as Flask does.
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

    def __init__(
        self,
        *,
        compress_from: int | None = None,
        salt: str | None = None,
        digest_method: str | None = None,
        serializer: TaggedJSONSerializer | None = None,
        clock: Callable[[], float] | None = None,
        revocation: Revocation | None = None,
    ) -> None:
        codec = None if compress_from is None else SignedCodec(compress_from=compress_from)
        super().__init__(
            codec=codec,
            revocation=revocation,
            clock=clock,
            salt=salt,
            digest_method=digest_method,
            serializer=serializer,
        )
