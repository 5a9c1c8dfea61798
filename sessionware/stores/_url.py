"""Build a store from one URL, for settings that can only hold text.

Frameworks configure sessions from settings files and environment variables, where a
URL is the natural way to say which back end to use and where it lives:
``memory://``, ``redis://host:6379/0``, ``sqlite:///sessions.sqlite3``,
``postgresql://user@host/db``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .base import Store
from .memory import MemoryStore

__all__ = ["store_from_url"]

_REDIS = ("redis", "rediss", "unix")
_SQL = ("sqlite", "postgresql", "postgres")
_EXAMPLES = (
    "memory://, redis://[:password@]host[:port][/db], rediss://..., unix:///path/redis.sock, "
    "sqlite:///path/to/sessions.sqlite3, postgresql://user@host/dbname"
)


def _scheme(url: str) -> str:
    scheme, sep, _ = url.partition("://")
    return scheme.lower() if sep else ""


def store_from_url(url: str, **options: Any) -> Store:
    """Return the store a URL names; ``options`` go to the store's constructor.

    ============================================  ==========================================
    URL                                           store
    ============================================  ==========================================
    ``memory://`` (``?max_entries=N``)            :class:`~sessionware.stores.MemoryStore`
    ``redis://``, ``rediss://``, ``unix://``      ``RedisStore`` (``sessionware[redis]``)
    ``sqlite:///path``, ``sqlite://`` (memory)    ``SQLStore`` (``sessionware[sql]``)
    ``postgresql://``, ``postgres://``            ``SQLStore`` on psycopg 3 (``[postgres]``)
    ``postgresql+DRIVER://``, ``sqlite+DRIVER``   ``SQLStore`` with that SQLAlchemy driver
    ============================================  ==========================================

    The URL may hold a password; it is never put in an error message.

    :raises ValueError: the URL names no store sessionware has (the message shows the
        scheme only, and the URLs that work).
    :raises ImportError: the store's client library is not installed (the message says
        which extra to install).
    """
    if not isinstance(url, str):
        raise TypeError(
            f"the store URL must be a str such as 'memory://', got {type(url).__name__}."
        )
    scheme = _scheme(url)
    backend = scheme.split("+", 1)[0]
    if scheme == "memory":
        query = dict(parse_qsl(urlsplit(url).query))
        if "max_entries" in query:
            try:
                options.setdefault("max_entries", int(query.pop("max_entries")))
            except ValueError:
                raise ValueError(
                    "memory://?max_entries=... must be a whole number of sessions."
                ) from None
        if query:
            raise ValueError(
                f"memory:// takes only ?max_entries=N, got {sorted(query)}; remove the others."
            )
        return MemoryStore(**options)
    if scheme in _REDIS:
        from .redis import RedisStore

        return RedisStore(url, **options)
    if backend in _SQL:
        from .sql import SQLStore

        if scheme in ("postgresql", "postgres"):
            # SQLAlchemy's default PostgreSQL driver is psycopg2; sessionware[postgres]
            # installs psycopg 3, so name it unless the URL names a driver itself.
            url = "postgresql+psycopg://" + url.partition("://")[2]
        return SQLStore(url, **options)
    raise ValueError(
        f"a session store URL with the scheme {scheme or '(none)'!r} names no store; use "
        f"one of {_EXAMPLES}."
    )
