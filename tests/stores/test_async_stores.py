"""The store conformance suite, run on the async stores.

The suite calls stores synchronously (from several threads, in its concurrency
tests); :class:`Blocking` submits each call to one event loop running in a thread of
its own, so the async store is exercised exactly as the suite exercises sync ones,
concurrency included.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis
import sqlalchemy as sa

from sessionware.stores import AsyncStore, Store, StoreError, StoreRecord
from sessionware.stores.aioredis import AsyncRedisStore
from sessionware.stores.aiosql import AsyncSQLStore
from tests.conftest import FakeClock
from tests.stores.contract import TTL, StoreContract
from tests.stores.test_sql import POSTGRES_URL
from tests.stores.test_sql import postgres_url as postgres_url

T = TypeVar("T")


class Loop:
    """An event loop running in a daemon thread, for sync callers."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


class Blocking(Store):
    """A sync view of an :class:`AsyncStore`, for the sync conformance suite."""

    def __init__(self, store: AsyncStore, loop: Loop) -> None:
        self.inner = store
        self.loop = loop

    def get(self, sid: str) -> StoreRecord | None:
        return self.loop.run(self.inner.get(sid))

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        return self.loop.run(self.inner.set(sid, data, ttl, version))

    def move(self, sid: str, new_sid: str, data: str, ttl: int, version: int) -> int | None:
        return self.loop.run(self.inner.move(sid, new_sid, data, ttl, version))

    def delete(self, sid: str) -> None:
        self.loop.run(self.inner.delete(sid))

    def touch(self, sid: str, ttl: int) -> bool:
        return self.loop.run(self.inner.touch(sid, ttl))

    def cleanup(self) -> int:
        return self.loop.run(self.inner.cleanup())

    def close(self) -> None:
        self.loop.run(self.inner.close())


@pytest.fixture
def loop() -> Iterator[Loop]:
    running = Loop()
    yield running
    running.stop()


class TestAsyncRedisStore(StoreContract):
    @pytest.fixture
    def store(self, redis_url: str, loop: Loop) -> Iterator[Store]:
        prefix = f"sessionware-test:{secrets.token_hex(8)}:"
        store = Blocking(AsyncRedisStore(redis_url, prefix=prefix), loop)
        self.client = redis.Redis.from_url(redis_url)
        self.prefix = prefix
        yield store
        keys = list(self.client.scan_iter(match=prefix + "*"))
        if keys:
            self.client.delete(*keys)
        self.client.close()
        store.close()

    def expire(self, store: Store, sid: str) -> None:
        self.client.pexpireat(self.prefix + sid, 1)

    def ttl_of(self, store: Store, sid: str) -> float:
        return int(self.client.pttl(self.prefix + sid)) / 1000


class AsyncSQLContract(StoreContract):
    """Expiry is reached through a sync engine on the same database."""

    sync_url: str

    def expire(self, store: Store, sid: str) -> None:
        assert isinstance(store, Blocking)
        assert isinstance(store.inner, AsyncSQLStore)
        t = store.inner.table
        engine = sa.create_engine(self.sync_url)
        try:
            with engine.begin() as conn:
                conn.execute(t.update().where(t.c.id == sid).values(expires_at=store.inner.clock()))
        finally:
            engine.dispose()

    def ttl_of(self, store: Store, sid: str) -> float:
        assert isinstance(store, Blocking)
        assert isinstance(store.inner, AsyncSQLStore)
        t = store.inner.table
        engine = sa.create_engine(self.sync_url)
        try:
            with engine.connect() as conn:
                query = sa.select(t.c.expires_at).where(t.c.id == sid)
                expires_at = conn.execute(query).scalar_one()
        finally:
            engine.dispose()
        return float(expires_at) - store.inner.clock()


class TestAsyncSQLiteStore(AsyncSQLContract):
    @pytest.fixture
    def store(self, tmp_path: Path, clock: FakeClock, loop: Loop) -> Iterator[Store]:
        path = tmp_path / "sessions.db"
        self.sync_url = f"sqlite:///{path}"
        store = Blocking(AsyncSQLStore(f"sqlite+aiosqlite:///{path}", clock=clock), loop)
        yield store
        store.close()


class TestAsyncPostgreSQLStore(AsyncSQLContract):
    @pytest.fixture
    def store(self, postgres_url: str, clock: FakeClock, loop: Loop) -> Iterator[Store]:
        table = f"sessionware_test_{secrets.token_hex(6)}"
        self.sync_url = postgres_url
        inner = AsyncSQLStore(postgres_url, table_name=table, clock=clock)
        store = Blocking(inner, loop)
        yield store
        store.close()
        engine = sa.create_engine(postgres_url)
        try:
            with engine.begin() as conn:
                inner.table.drop(conn, checkfirst=True)
        finally:
            engine.dispose()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_failures_raise_store_error_without_credentials() -> None:
    store = AsyncRedisStore("redis://:hunter2-password@127.0.0.1:1/0", timeout=0.5, retries=0)
    with pytest.raises(StoreError) as caught:
        await store.get("sid")
    assert "hunter2" not in str(caught.value)
    assert "127.0.0.1:1" in repr(store)
    await store.close()


@pytest.mark.anyio
async def test_sql_failures_raise_store_error(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    path.write_bytes(b"not a database, " * 100)
    store = AsyncSQLStore(f"sqlite+aiosqlite:///{path}")
    with pytest.raises(StoreError, match="SQL: DatabaseError"):
        await store.get("sid")
    assert "AsyncSQLStore sqlite+aiosqlite" in repr(store)
    await store.close()


@pytest.mark.parametrize(
    ("make", "match"),
    [
        pytest.param(lambda: AsyncRedisStore(prefix=1), "prefix must be a str", id="prefix"),  # type: ignore[arg-type]
        pytest.param(lambda: AsyncRedisStore(timeout=0), "timeout must be", id="redis-timeout"),
        pytest.param(lambda: AsyncRedisStore(retries=-1), "retries must be", id="retries"),
        pytest.param(lambda: AsyncRedisStore("http://x"), "not a Redis URL", id="redis-url"),
        pytest.param(lambda: AsyncSQLStore(timeout=0), "timeout must be", id="sql-timeout"),
        pytest.param(lambda: AsyncSQLStore("nope"), "not a database URL", id="sql-url"),
        pytest.param(lambda: AsyncSQLStore("sqlite:///x.db"), "not an asyncio driver", id="sync"),
    ],
)
def test_bad_settings_fail_when_built(make: Any, match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_the_async_base_names_what_to_implement() -> None:
    store = AsyncStore()
    for call in (
        store.get("s"),
        store.set("s", "d", TTL, None),
        store.move("s", "t", "d", TTL, 1),
        store.delete("s"),
        store.touch("s", TTL),
    ):
        with pytest.raises(NotImplementedError, match="AsyncStore"):
            asyncio.run(call)
    assert asyncio.run(store.cleanup()) == 0
    assert asyncio.run(store.close()) is None


__all__ = ["POSTGRES_URL"]
