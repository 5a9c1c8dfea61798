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
from .sessions import NullSession as NullSession
from .sessions import SecureCookieSession as SecureCookieSession
from .sessions import SessionMixin as SessionMixin
from .tagged import TaggedJSONSerializer as TaggedJSONSerializer

__all__ = [
    "CookieTooLarge",
    "InsecureSecretWarning",
    "LazySession",
    "NullSession",
    "SecureCookieSession",
    "SecureCookieSessionInterface",
    "SessionConfig",
    "SessionInterface",
    "SessionMiddleware",
    "SessionUnavailable",
    "SessionwareError",
    "TaggedJSONSerializer",
]
