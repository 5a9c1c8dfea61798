"""Session interfaces: where a request's session comes from and where it goes.

``base`` is the contract (:class:`SessionInterface`, modelled on Flask's) with the
cookie plumbing every interface shares; ``cookie`` what the cookie-only interfaces
share; ``signed`` the default, Flask-compatible signed cookie; ``encrypted`` the
AES-GCM cookie; ``lazy`` the session handlers see before it is opened. The WSGI and
ASGI adapters and the framework integrations sit above this layer.
"""

from .base import SessionInterface as SessionInterface
from .encrypted import EncryptedCookieSessionInterface as EncryptedCookieSessionInterface
from .lazy import LazySession as LazySession
from .signed import SecureCookieSessionInterface as SecureCookieSessionInterface

__all__ = [
    "EncryptedCookieSessionInterface",
    "LazySession",
    "SecureCookieSessionInterface",
    "SessionInterface",
]
