"""Session stores for :class:`~sessionware.ServerSideSessionInterface`.

:class:`MemoryStore` needs nothing; ``RedisStore`` and ``SQLStore`` are imported on
first use, so their client libraries are needed only by the apps that use them
(``pip install sessionware[redis]`` or ``sessionware[sql]``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._url import async_store_from_url as async_store_from_url
from ._url import store_from_url as store_from_url
from ._users import IndexEntry as IndexEntry
from ._users import UserIndex as UserIndex
from .asyncbase import AsyncStore as AsyncStore
from .base import CorruptRecord as CorruptRecord
from .base import Store as Store
from .base import StoreError as StoreError
from .base import StoreRecord as StoreRecord
from .base import UnconfirmedWrite as UnconfirmedWrite
from .memory import MemoryStore as MemoryStore

if TYPE_CHECKING:
    from .aioredis import AsyncRedisStore as AsyncRedisStore
    from .aiosql import AsyncSQLStore as AsyncSQLStore
    from .redis import RedisStore as RedisStore
    from .sql import SQLStore as SQLStore

__all__ = [
    "AsyncRedisStore",
    "AsyncSQLStore",
    "AsyncStore",
    "CorruptRecord",
    "IndexEntry",
    "MemoryStore",
    "RedisStore",
    "SQLStore",
    "Store",
    "StoreError",
    "StoreRecord",
    "UnconfirmedWrite",
    "UserIndex",
    "async_store_from_url",
    "store_from_url",
]

_LAZY = {"RedisStore": "redis", "SQLStore": "sql"}
_LAZY.update(AsyncRedisStore="aioredis", AsyncSQLStore="aiosql")


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"{__name__}.{module}"), name)
