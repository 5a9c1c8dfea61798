"""sessionware: framework-agnostic WSGI and ASGI sessions in Flask-compatible signed cookies."""

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
from .interfaces.codecs import CookieCodec as CookieCodec
from .interfaces.codecs import EncryptedCodec as EncryptedCodec
from .interfaces.codecs import SignedCodec as SignedCodec
from .interfaces.cookie import CookieSessionInterface as CookieSessionInterface
from .interfaces.encrypted import EncryptedCookieSessionInterface as EncryptedCookieSessionInterface
from .interfaces.lazy import LazySession as LazySession
from .interfaces.revocable import (
    RevocableCookieSessionInterface as RevocableCookieSessionInterface,
)
from .interfaces.revocable import (
    RevocableEncryptedCookieSessionInterface as RevocableEncryptedCookieSessionInterface,
)
from .interfaces.signed import SecureCookieSessionInterface as SecureCookieSessionInterface
from .policies.revocation import Revocation as Revocation
from .serverside import ServerSideSession as ServerSideSession
from .serverside import ServerSideSessionInterface as ServerSideSessionInterface
from .serverside import StoreUnavailableSession as StoreUnavailableSession
from .sessions import STORE_ERROR_KEY as STORE_ERROR_KEY
from .sessions import NullSession as NullSession
from .sessions import SecureCookieSession as SecureCookieSession
from .sessions import SessionMixin as SessionMixin
from .stores import MemoryStore as MemoryStore
from .stores import Store as Store
from .stores import StoreError as StoreError
from .wsgi.middleware import SessionMiddleware as SessionMiddleware

__all__ = [
    "STORE_ERROR_KEY",
    "CookieCodec",
    "CookieSessionInterface",
    "CookieTooLarge",
    "EncryptedCodec",
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
    "Revocation",
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
    "SignedCodec",
    "Store",
    "StoreError",
    "StoreUnavailableSession",
    "TaggedJSONSerializer",
]
