"""sessionware: framework-agnostic WSGI sessions in Flask-compatible signed cookies."""

from .config import SessionConfig as SessionConfig
from .errors import CookieTooLarge as CookieTooLarge
from .errors import InsecureSecretWarning as InsecureSecretWarning
from .errors import SessionUnavailable as SessionUnavailable
from .errors import SessionwareError as SessionwareError
from .interface import SessionInterface as SessionInterface
from .lazy import LazySession as LazySession
from .middleware import SessionMiddleware as SessionMiddleware
from .securecookie import SecureCookieSessionInterface as SecureCookieSessionInterface
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
from .tagged import TaggedJSONSerializer as TaggedJSONSerializer

__all__ = [
    "STORE_ERROR_KEY",
    "CookieTooLarge",
    "InsecureSecretWarning",
    "LazySession",
    "MemoryStore",
    "NullSession",
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
