"""sessionware: framework-agnostic WSGI sessions in Flask-compatible signed cookies."""

from .config.keyring import Key as Key
from .config.keyring import KeyRing as KeyRing
from .config.keyring import KeyRingError as KeyRingError
from .config.settings import SessionConfig as SessionConfig
from .cookies.tagged import TaggedJSONSerializer as TaggedJSONSerializer
from .errors import CookieTooLarge as CookieTooLarge
from .errors import InsecureSecretWarning as InsecureSecretWarning
from .errors import PayloadTooLarge as PayloadTooLarge
from .errors import SessionUnavailable as SessionUnavailable
from .errors import SessionwareError as SessionwareError
from .interfaces.base import SessionInterface as SessionInterface
from .interfaces.encrypted import EncryptedCookieSessionInterface as EncryptedCookieSessionInterface
from .interfaces.lazy import LazySession as LazySession
from .interfaces.signed import SecureCookieSessionInterface as SecureCookieSessionInterface
from .policies.revocation import (
    RevocableCookieSessionInterface as RevocableCookieSessionInterface,
)
from .policies.revocation import (
    RevocableEncryptedCookieSessionInterface as RevocableEncryptedCookieSessionInterface,
)
from .serverside import STORE_ERROR_KEY as STORE_ERROR_KEY
from .serverside import ServerSideSession as ServerSideSession
from .serverside import ServerSideSessionInterface as ServerSideSessionInterface
from .serverside import StoreUnavailableSession as StoreUnavailableSession
from .sessions import NullSession as NullSession
from .sessions import SecureCookieSession as SecureCookieSession
from .sessions import SessionMixin as SessionMixin
from .stores import MemoryStore as MemoryStore
from .stores import Store as Store
from .stores import StoreError as StoreError
from .wsgi.middleware import SessionMiddleware as SessionMiddleware

__all__ = [
    "STORE_ERROR_KEY",
    "CookieTooLarge",
    "EncryptedCookieSessionInterface",
    "InsecureSecretWarning",
    "Key",
    "KeyRing",
    "KeyRingError",
    "LazySession",
    "MemoryStore",
    "NullSession",
    "PayloadTooLarge",
    "RevocableCookieSessionInterface",
    "RevocableEncryptedCookieSessionInterface",
    "SecureCookieSession",
    "SecureCookieSessionInterface",
    "ServerSideSession",
    "ServerSideSessionInterface",
    "SessionConfig",
    "SessionInterface",
    "SessionMiddleware",
    "SessionMixin",
    "SessionUnavailable",
    "SessionwareError",
    "Store",
    "StoreError",
    "StoreUnavailableSession",
    "TaggedJSONSerializer",
]
