"""Settings: the :class:`SessionConfig` value object, its checks, and readers for text.

Everything a session middleware is told (keys, cookie attributes, lifetimes, limits) is
checked here once, when the config is built; the layers above only read it. The
modules: ``settings`` (the value object), ``keyring`` (dated keys), and private checks
(``_secrets``, ``_cookie``, ``_durations``, ``_limits``, ``_fallbacks``) and readers of
settings given as text (``_text`` for environment variables, ``_ini`` for deployment
files). Nothing here imports another sessionware layer but :mod:`sessionware.errors`.
"""

from .keyring import Key as Key
from .keyring import KeyRing as KeyRing
from .keyring import KeyRingError as KeyRingError
from .settings import MAX_COOKIE_AGE as MAX_COOKIE_AGE
from .settings import SessionConfig as SessionConfig

__all__ = ["MAX_COOKIE_AGE", "Key", "KeyRing", "KeyRingError", "SessionConfig"]
