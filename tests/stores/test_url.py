"""store_from_url: one URL names the store (for settings that hold only text).

async_store_from_url: the same URLs, naming the stores an asyncio app awaits.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from sessionware.stores import MemoryStore, StoreError, async_store_from_url, store_from_url
from sessionware.stores.aioredis import AsyncRedisStore
from sessionware.stores.aiosql import AsyncSQLStore
from sessionware.stores.redis import RedisStore
from sessionware.stores.sql import SQLStore


def test_memory_with_and_without_a_bound() -> None:
    assert isinstance(store_from_url("memory://"), MemoryStore)
    store = store_from_url("memory://?max_entries=5")
    assert isinstance(store, MemoryStore)
    assert store.max_entries == 5


def test_redis_urls_build_a_redis_store() -> None:
    store = store_from_url("redis://127.0.0.1:6399/3", prefix="app:")
    assert isinstance(store, RedisStore)
    assert store.prefix == "app:"
    assert "6399" in repr(store)
    store.close()


@pytest.mark.parametrize(
    "scheme",
    [
        pytest.param("postgresql", id="postgresql"),
        pytest.param("postgres", id="postgres"),
        pytest.param("postgresql+psycopg", id="explicit"),
    ],
)
def test_postgres_urls_use_psycopg_3(scheme: str) -> None:
    url = f"{scheme}://postgres@127.0.0.1:5432/test"
    try:
        store = store_from_url(url, table_name="sessionware_url_test", timeout=2)
    except StoreError as exc:
        pytest.skip(f"no PostgreSQL on 127.0.0.1:5432 ({exc.reason})")
    assert isinstance(store, SQLStore)
    assert store.engine.url.get_driver_name() == "psycopg"
    store.close()


def test_sqlite_builds_an_sql_store(tmp_path: Path) -> None:
    store = store_from_url(f"sqlite:///{tmp_path / 's.sqlite3'}")
    assert isinstance(store, SQLStore)
    assert store.set("abc", "{}", 60, None) == 1
    store.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param("mongodb://u:secret@h/db", "the scheme 'mongodb' names no store", id="scheme"),
        pytest.param("127.0.0.1:6379", "the scheme '(none)' names no store", id="no-scheme"),
        pytest.param("memory://?size=3", "memory:// takes only ?max_entries=N", id="memory-opt"),
        pytest.param("memory://?max_entries=x", "must be a whole number", id="memory-bound"),
    ],
)
@pytest.mark.parametrize("from_url", [store_from_url, async_store_from_url])
def test_a_wrong_url_names_the_urls_that_work(url: str, message: str, from_url: Any) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        from_url(url)
    assert "secret" not in str(info.value)


def test_a_url_must_be_text() -> None:
    with pytest.raises(TypeError, match="must be a str"):
        store_from_url(b"memory://")  # type: ignore[arg-type]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("url", "driver"),
    [
        pytest.param("sqlite:///{path}", "aiosqlite", id="sqlite"),
        pytest.param("sqlite+aiosqlite:///{path}", "aiosqlite", id="sqlite-explicit"),
        pytest.param("postgresql://postgres@127.0.0.1:5432/test", "psycopg", id="postgresql"),
        pytest.param("postgres://postgres@127.0.0.1:5432/test", "psycopg", id="postgres"),
    ],
)
async def test_async_sql_urls_name_an_asyncio_driver(url: str, driver: str, tmp_path: Path) -> None:
    store = async_store_from_url(url.format(path=tmp_path / "s.sqlite3"))
    assert isinstance(store, AsyncSQLStore)
    assert store.engine.url.get_driver_name() == driver
    if driver == "aiosqlite":
        assert await store.set("abc", "{}", 60, None) == 1
    await store.close()


@pytest.mark.anyio
async def test_async_redis_urls_build_an_async_redis_store() -> None:
    store = async_store_from_url("redis://127.0.0.1:6399/3", prefix="app:")
    assert isinstance(store, AsyncRedisStore)
    assert store.prefix == "app:"
    assert "6399" in repr(store)
    await store.close()


def test_async_memory_urls_are_the_memory_store() -> None:
    store = async_store_from_url("memory://?max_entries=5")
    assert isinstance(store, MemoryStore)
    assert store.max_entries == 5


def test_an_async_url_with_a_sync_driver_is_refused() -> None:
    with pytest.raises(ValueError, match="not an asyncio driver"):
        async_store_from_url("sqlite+pysqlite:///s.sqlite3")
