"""Quart with server-side sessions: async stores are awaited, nothing blocks the loop."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import flask
import pytest
from quart import Quart, session

import sessionware.flask
import sessionware.quart
from sessionware import MemoryStore, ServerSideSessionInterface, SessionConfig
from sessionware.asgi import AsyncServerSideSessionInterface
from sessionware.stores import AsyncStore, StoreRecord
from sessionware.stores.aioredis import AsyncRedisStore
from sessionware.stores.aiosql import AsyncSQLStore
from sessionware.stores.redis import RedisStore
from sessionware.stores.sql import SQLStore
from sessionware.testing import read_session
from tests._servers import DEADLINE

from ._apps import counter_app

pytestmark = pytest.mark.anyio

SECRET = "quart-server-side-secret-long-enough-for-hmac"


class GatedStore(AsyncStore):
    """A :class:`MemoryStore`'s records behind coroutines; ``get`` can be made to wait.

    While :attr:`gate` is closed, a ``get`` waits on it: only another task on the same
    event loop can open it, so a request that finishes while a ``get`` waited shows
    that the loop kept running, not blocked in the store call.
    """

    def __init__(self) -> None:
        self.records = MemoryStore()
        self.gate = asyncio.Event()
        self.gate.set()
        self.waiting = asyncio.Event()

    async def get(self, sid: str) -> StoreRecord | None:
        if not self.gate.is_set():
            self.waiting.set()
            await self.gate.wait()
        return self.records.get(sid)

    async def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        return self.records.set(sid, data, ttl, version)

    async def move(self, sid: str, new_sid: str, data: str, ttl: int, version: int) -> int | None:
        return self.records.move(sid, new_sid, data, ttl, version)

    async def delete(self, sid: str) -> None:
        self.records.delete(sid)

    async def touch(self, sid: str, ttl: int) -> bool:
        return self.records.touch(sid, ttl)


def stored_app(store: Any) -> Quart:
    app = counter_app()
    app.secret_key = SECRET
    sessionware.quart.init_app(app, store=store)
    return app


async def test_an_async_store_is_awaited_on_the_event_loop() -> None:
    store = GatedStore()
    app = stored_app(store)

    @app.get("/open-gate")
    async def open_gate() -> str:
        await store.waiting.wait()
        store.gate.set()
        return "opened"

    client = app.test_client()
    await client.post("/login", form={"user": "ada"})
    store.gate.clear()
    # /read waits in the store's get until /open-gate, another request on the same
    # loop, opens the gate: were the store called without awaiting, the loop would be
    # stuck in /read and this would never finish (the deadline only stops a hang).
    # (/open-gate comes from a client with no cookie, so that it loads nothing.)
    read, opened = await asyncio.wait_for(
        asyncio.gather(client.get("/read"), app.test_client().get("/open-gate")), DEADLINE
    )
    assert await read.get_json() == {"user": "ada"}
    assert await opened.get_data(as_text=True) == "opened"


async def test_the_cookie_holds_an_id_and_the_data_is_in_the_store() -> None:
    store = GatedStore()
    app = stored_app(store)

    @app.post("/invalidate")
    async def invalidate() -> str:
        session.invalidate()  # type: ignore[attr-defined]
        return "out"

    client = app.test_client()
    login = await client.post("/login", form={"user": "annabel-lee"})
    cookie = login.headers["Set-Cookie"]
    assert "annabel-lee" not in cookie
    assert len(store.records) == 1
    assert await (await client.get("/read")).get_json() == {"user": "annabel-lee"}
    # invalidate() ends the stored session and deletes the cookie.
    logout = await client.post("/invalidate")
    assert read_session(logout, SessionConfig(secret_key=SECRET)) == {}
    assert len(store.records) == 0
    assert await (await client.get("/read")).get_json() == {}


async def test_session_transaction_reads_and_writes_the_stored_session() -> None:
    store = GatedStore()
    client = stored_app(store).test_client()
    await client.get("/count")
    async with client.session_transaction() as transaction:
        assert dict(transaction) == {"n": 1}
        transaction["n"] = 10
    assert await (await client.get("/count")).get_data(as_text=True) == "11"
    assert len(store.records) == 1


async def test_regenerate_at_login_moves_the_session_to_a_new_id() -> None:
    store = GatedStore()
    app = stored_app(store)

    @app.post("/promote")
    async def promote() -> str:
        session.regenerate()  # type: ignore[attr-defined]
        session["role"] = "admin"
        return "ok"

    client = app.test_client()
    first = (await client.get("/count")).headers["Set-Cookie"]
    second = (await client.post("/promote")).headers["Set-Cookie"]
    assert first.split(";")[0] != second.split(";")[0]
    assert len(store.records) == 1
    assert await (await client.get("/read")).get_json() == {"n": 1, "role": "admin"}


@pytest.mark.parametrize("store", [GatedStore, MemoryStore], ids=["async", "memory"])
async def test_a_websocket_change_is_kept_in_the_store(store: Any) -> None:
    app = stored_app(store())

    client = app.test_client()
    await client.get("/count")
    async with client.websocket("/ws") as connection:
        assert await connection.receive() == "1"
    assert await (await client.get("/read")).get_json() == {"n": 1, "from_ws": True}


@pytest.mark.parametrize("store", ["memory://", MemoryStore()], ids=["url", "object"])
async def test_a_memory_store_stays_in_the_process_and_needs_no_awaiting(store: Any) -> None:
    app = stored_app(store)
    bridge = app.extensions["sessionware"]
    assert type(bridge.interface) is ServerSideSessionInterface
    assert isinstance(bridge.interface.store, MemoryStore)
    client = app.test_client()
    await client.get("/count")
    assert await (await client.get("/count")).get_data(as_text=True) == "2"


async def test_a_sqlite_url_is_an_async_sql_store(tmp_path: Path) -> None:
    path = tmp_path / "sessions.sqlite3"
    app = stored_app(f"sqlite:///{path}")
    interface = app.extensions["sessionware"].interface
    assert isinstance(interface, AsyncServerSideSessionInterface)
    assert isinstance(interface.async_store, AsyncSQLStore)
    client = app.test_client()
    await client.post("/login", form={"user": "ada"})
    assert (await (await client.get("/read")).get_json())["user"] == "ada"
    await interface.async_store.close()
    with sqlite3.connect(path) as database:
        [(data,)] = database.execute("SELECT data FROM sessionware_sessions").fetchall()
    assert "ada" in data


@pytest.fixture
def prefix() -> str:
    return f"sessionware-test:{secrets.token_hex(8)}:"


@pytest.fixture
async def redis_store(redis_url: str, prefix: str) -> AsyncIterator[AsyncRedisStore]:
    store = AsyncRedisStore(redis_url, prefix=prefix)
    yield store
    keys = [key async for key in store.client.scan_iter(match=prefix + "*")]
    if keys:
        await store.client.delete(*keys)
    await store.close()


async def test_a_redis_url_is_an_async_redis_store(redis_url: str) -> None:
    app = stored_app(redis_url)
    interface = app.extensions["sessionware"].interface
    assert isinstance(interface, AsyncServerSideSessionInterface)
    store = interface.async_store
    assert isinstance(store, AsyncRedisStore)
    await store.close()


@pytest.mark.parametrize("login_on", ["flask", "quart"])
async def test_flask_on_redis_and_quart_on_async_redis_share_the_login(
    login_on: str, redis_url: str, redis_store: AsyncRedisStore, prefix: str
) -> None:
    flask_app = flask.Flask(__name__)
    flask_app.secret_key = SECRET
    sync_store = RedisStore(redis_url, prefix=prefix)
    sessionware.flask.init_app(flask_app, interface=ServerSideSessionInterface(sync_store))

    @flask_app.post("/login")
    def flask_login() -> str:
        flask.session["user"] = "ada"
        return "in"

    @flask_app.get("/read")
    def flask_read() -> dict[str, Any]:
        return dict(flask.session)

    flask_client = flask_app.test_client()
    quart_client = stored_app(redis_store).test_client()
    try:
        if login_on == "flask":
            login = flask_client.post("/login").headers["Set-Cookie"]
            sid = login.split(";")[0].split("=", 1)[1]
            quart_client.set_cookie("localhost", "session", sid)
            assert await (await quart_client.get("/read")).get_json() == {"user": "ada"}
        else:
            login = (await quart_client.post("/login", form={"user": "ada"})).headers["Set-Cookie"]
            flask_client.set_cookie("session", login.split(";")[0].split("=", 1)[1])
            assert flask_client.get("/read").get_json() == {"user": "ada"}
    finally:
        sync_store.close()


@pytest.mark.parametrize(
    "blocking",
    [
        pytest.param(lambda: RedisStore("redis://127.0.0.1:6399/0"), id="redis"),
        pytest.param(lambda: SQLStore("sqlite://"), id="sql"),
    ],
)
def test_a_sync_store_that_leaves_the_process_is_refused(blocking: Any) -> None:
    store = blocking()
    app = counter_app()
    app.secret_key = SECRET
    try:
        with pytest.raises(TypeError, match="would block the event loop"):
            sessionware.quart.init_app(app, store=store)
        with pytest.raises(TypeError, match="would block the event loop"):
            sessionware.quart.init_app(app, interface=ServerSideSessionInterface(store))
    finally:
        store.close()


def test_store_and_interface_together_or_no_store_are_refused() -> None:
    app = counter_app()
    with pytest.raises(TypeError, match="either store= or interface="):
        sessionware.quart.init_app(
            app, store="memory://", interface=ServerSideSessionInterface(MemoryStore())
        )
    with pytest.raises(TypeError, match="store must be a store URL"):
        sessionware.quart.init_app(app, store=42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="names no store"):
        sessionware.quart.init_app(app, store="mongodb://h/db")


async def test_session_metadata_reads_the_whole_request() -> None:
    """An interface that reads the request is given the request as a WSGI environ."""
    interface = ServerSideSessionInterface(
        MemoryStore(),
        user_key="user",
        session_metadata=lambda environ: {
            "agent": environ.get("HTTP_USER_AGENT"),
            "path": environ["PATH_INFO"],
        },
    )
    app = counter_app()
    app.secret_key = SECRET
    sessionware.quart.init_app(app, interface=interface)
    client = app.test_client()
    await client.post("/login", form={"user": "ada"}, headers={"User-Agent": "quart-test/1"})
    [info] = interface.sessions_of("ada")
    assert info.metadata == {"agent": "quart-test/1", "path": "/login"}
    assert (await (await client.get("/read")).get_json())["user"] == "ada"
