"""Build a store from one URL, for settings that can only hold text.

Frameworks configure sessions from settings files and environment variables, where a
URL is the natural way to say which back end to use and where it lives:
``memory://``, ``redis://host:6379/0``, ``sqlite:///sessions.sqlite3``,
``postgresql://user@host/db``.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from .asyncbase import AsyncStore
from .base import Store
from .memory import MemoryStore

__all__ = ["async_store_from_url", "store_from_url"]

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
    return cast(Store, _named(url, options, awaited=False))


def async_store_from_url(url: str, **options: Any) -> Store | AsyncStore:
    """Return the store a URL names for an asyncio app; ``options`` go to its constructor.

    The URLs of :func:`store_from_url`, with stores whose calls the event loop awaits:

    ============================================  ==========================================
    URL                                           store
    ============================================  ==========================================
    ``memory://`` (``?max_entries=N``)            :class:`~sessionware.stores.MemoryStore`
                                                  (in this process: nothing to wait for)
    ``redis://``, ``rediss://``, ``unix://``      ``AsyncRedisStore`` (``[async-redis]``)
    ``sqlite:///path``                            ``AsyncSQLStore`` on aiosqlite
                                                  (``sessionware[async-sql]``)
    ``postgresql://``, ``postgres://``            ``AsyncSQLStore`` on psycopg 3's async mode
    ``postgresql+DRIVER://``, ``sqlite+DRIVER``   ``AsyncSQLStore`` with that asyncio driver
    ============================================  ==========================================

    The URL may hold a password; it is never put in an error message.

    :raises ValueError: the URL names no store sessionware has, or a driver that is not
        an asyncio one.
    :raises ImportError: the store's client library is not installed.
    """
    return _named(url, options, awaited=True)


def _named(url: str, options: dict[str, Any], *, awaited: bool) -> Store | AsyncStore:
    """The store ``url`` names: the async one if ``awaited`` (memory:// is the same)."""
    scheme = _checked_scheme(url)
    if scheme == "memory":
        return _memory_store(url, options)
    if scheme in _REDIS:
        if awaited:
            from .aioredis import AsyncRedisStore

            return AsyncRedisStore(url, **options)
        from .redis import RedisStore

        return RedisStore(url, **options)
    if scheme.split("+", 1)[0] in _SQL:
        rest = url.partition("://")[2]
        if scheme in ("postgresql", "postgres"):
            # SQLAlchemy's default PostgreSQL driver is psycopg2; sessionware[postgres]
            # installs psycopg 3 (which also runs async), so name it unless the URL does.
            url = "postgresql+psycopg://" + rest
        elif scheme == "sqlite" and awaited:
            url = "sqlite+aiosqlite://" + rest
        if awaited:
            from .aiosql import AsyncSQLStore

            return AsyncSQLStore(url, **options)
        from .sql import SQLStore

        return SQLStore(url, **options)
    raise _unknown(scheme)


def _checked_scheme(url: object) -> str:
    if not isinstance(url, str):
        raise TypeError(
            f"the store URL must be a str such as 'memory://', got {type(url).__name__}."
        )
    return _scheme(url)


def _memory_store(url: str, options: dict[str, Any]) -> MemoryStore:
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


def _unknown(scheme: str) -> ValueError:
    return ValueError(
        f"a session store URL with the scheme {scheme or '(none)'!r} names no store; use "
        f"one of {_EXAMPLES}."
    )
