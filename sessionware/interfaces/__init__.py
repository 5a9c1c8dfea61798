"""Session interfaces: where a request's session comes from and where it goes.

``base`` is the contract (:class:`SessionInterface`, modelled on Flask's) with the
cookie plumbing every interface shares; ``cookie`` the one cookie interface, which
takes a codec from ``codecs`` (signed, the Flask-compatible default, or encrypted)
and a revocation policy as values; ``signed`` and ``encrypted`` its shortcuts under
the names users know; ``lazy`` the session handlers see before it is opened. The WSGI and
ASGI adapters and the framework integrations sit above this layer.
"""

from .base import SessionInterface as SessionInterface
from .codecs import CookieCodec as CookieCodec
from .codecs import EncryptedCodec as EncryptedCodec
from .codecs import SignedCodec as SignedCodec
from .cookie import CookieSessionInterface as CookieSessionInterface
from .encrypted import EncryptedCookieSessionInterface as EncryptedCookieSessionInterface
from .lazy import LazySession as LazySession
from .signed import SecureCookieSessionInterface as SecureCookieSessionInterface

__all__ = [
    "CookieCodec",
    "CookieSessionInterface",
    "EncryptedCodec",
    "EncryptedCookieSessionInterface",
    "LazySession",
    "SecureCookieSessionInterface",
    "SessionInterface",
    "SignedCodec",
]
