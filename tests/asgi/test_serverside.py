"""Server-side sessions under sessionware.asgi, on async stores: nothing blocks the loop."""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from sessionware import (
    STORE_ERROR_KEY,
    MemoryStore,
    ServerSideSessionInterface,
    SessionConfig,
    SessionUnavailable,
)
from sessionware.asgi import AsyncServerSideSessionInterface, SessionMiddleware
from sessionware.asgi.middleware import Message, Receive, Scope, Send
from sessionware.serverside.awaiting import AwaitingStore, await_, run_awaiting
from sessionware.stores import StoreError
from sessionware.stores.aioredis import AsyncRedisStore
from sessionware.stores.aiosql import AsyncSQLStore
from sessionware.stores.redis import RedisStore
from tests.conftest import SECRET

from ._asgi import endpoint, http_scope, run

pytestmark = pytest.mark.anyio


@pytest.fixture
def prefix() -> str:
    return f"sessionware-test:{secrets.token_hex(8)}:"


@pytest.fixture
def raw(redis_url: str, prefix: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
async def store(redis_url: str, prefix: str, raw: redis.Redis) -> AsyncIterator[AsyncRedisStore]:
    async_store = AsyncRedisStore(redis_url, prefix=prefix)
    yield async_store
    await async_store.close()


def middleware(app: Any, store: Any, **options: Any) -> SessionMiddleware:
    interface = AsyncServerSideSessionInterface(store, **options)
    return SessionMiddleware(app, SessionConfig(secret_key=SECRET), interface=interface)


async def test_the_cookie_holds_an_id_and_the_data_is_in_redis(
    store: AsyncRedisStore, raw: redis.Redis, prefix: str
) -> None:
    reply = await run(
        middleware(endpoint(lambda s: s.__setitem__("user", "annabel-lee")), store), http_scope()
    )
    cookie = reply.cookie()
    assert cookie
    assert "annabel-lee" not in cookie
    [key] = raw.scan_iter(match=prefix + "*")
    assert b"annabel-lee" in raw.hget(key, "d")  # type: ignore[operator]
    seen: list[Any] = []
    await run(
        middleware(endpoint(lambda s: seen.append(dict(s))), store), http_scope(f"session={cookie}")
    )
    assert seen == [{"user": "annabel-lee"}]


async def test_concurrent_requests_changing_different_keys_keep_both(
    store: AsyncRedisStore,
) -> None:
    first = await run(middleware(endpoint(lambda s: s.__setitem__("n", 0)), store), http_scope())
    cookie = f"session={first.cookie()}"
    both_loaded = asyncio.Barrier(2)

    def change(key: str) -> Any:
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            scope["session"].get("n")
            await both_loaded.wait()  # both requests hold the same version now
            scope["session"][key] = True
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})

        return middleware(app, store)

    await asyncio.gather(run(change("a"), http_scope(cookie)), run(change("b"), http_scope(cookie)))
    seen: list[Any] = []
    await run(middleware(endpoint(lambda s: seen.append(dict(s))), store), http_scope(cookie))
    assert seen == [{"n": 0, "a": True, "b": True}]


async def test_regenerate_and_invalidate_end_the_old_id(
    store: AsyncRedisStore, raw: redis.Redis, prefix: str
) -> None:
    first = await run(middleware(endpoint(lambda s: s.__setitem__("u", 1)), store), http_scope())
    old = first.cookie()
    moved = await run(
        middleware(endpoint(lambda s: s.regenerate()), store), http_scope(f"session={old}")
    )
    new = moved.cookie()
    assert new
    assert new != old
    seen: list[Any] = []
    await run(
        middleware(endpoint(lambda s: seen.append(dict(s))), store), http_scope(f"session={old}")
    )
    assert seen == [{}]
    ended = await run(
        middleware(endpoint(lambda s: s.invalidate()), store), http_scope(f"session={new}")
    )
    assert ended.cookie() == ""
    assert list(raw.scan_iter(match=prefix + "*")) == []


async def test_a_websocket_reads_a_server_side_session(store: AsyncRedisStore) -> None:
    cookie = (
        await run(middleware(endpoint(lambda s: s.__setitem__("u", "bo")), store), http_scope())
    ).cookie()
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": scope["session"]["u"]})
        scope["session"]["after_accept"] = True  # saved when the connection ends

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = dict(http_scope(f"session={cookie}"), type="websocket", scheme="ws")
    await middleware(app, store)(scope, receive, send)
    assert sent[1] == {"type": "websocket.send", "text": "bo"}
    seen: list[Any] = []
    await run(
        middleware(endpoint(lambda s: seen.append(dict(s))), store), http_scope(f"session={cookie}")
    )
    assert seen == [{"u": "bo", "after_accept": True}]


async def test_an_outage_raises_by_default(store: AsyncRedisStore) -> None:
    valid = (
        await run(middleware(endpoint(lambda s: s.__setitem__("u", 1)), store), http_scope())
    ).cookie()
    down = AsyncRedisStore("redis://127.0.0.1:1/0", timeout=0.5, retries=0)
    with pytest.raises(StoreError, match="Redis: ConnectionError"):
        await run(middleware(endpoint(lambda s: s.get("u")), down), http_scope(f"session={valid}"))
    cookie = "session=" + "x" * 10
    # A request without a valid ID never asks the store...
    reply = await run(middleware(endpoint(lambda s: s.get("u")), down), http_scope(cookie))
    assert reply.status == 200
    # ...and a write to the store that is down fails the request.
    with pytest.raises(StoreError, match="Redis: ConnectionError"):
        await run(middleware(endpoint(lambda s: s.__setitem__("u", 1)), down), http_scope())
    await down.close()


async def test_an_outage_under_null_is_a_read_only_session_and_a_log_line(
    store: AsyncRedisStore, redis_url: str, session_log: pytest.LogCaptureFixture
) -> None:
    cookie = (
        await run(middleware(endpoint(lambda s: s.__setitem__("u", 1)), store), http_scope())
    ).cookie()
    down = AsyncRedisStore("redis://127.0.0.1:1/0", timeout=0.5, retries=0, prefix=store.prefix)
    seen: list[Any] = []

    def handler(session: Any) -> None:
        seen.append(dict(session))
        with pytest.raises(SessionUnavailable):
            session["u"] = 2

    scope = http_scope(f"session={cookie}")
    reply = await run(middleware(endpoint(handler), down, on_store_error="null"), scope)
    assert reply.status == 200
    assert seen == [{}]
    assert isinstance(scope[STORE_ERROR_KEY], StoreError)
    assert "Serving a read-only empty session" in session_log.text
    assert reply.header_values("set-cookie") == []
    await down.close()
    # Nothing was overwritten: the stored session is intact once Redis answers again.
    again: list[Any] = []
    await run(
        middleware(endpoint(lambda s: again.append(dict(s))), store),
        http_scope(f"session={cookie}"),
    )
    assert again == [{"u": 1}]


async def test_the_sql_store_serves_asgi_sessions_too(tmp_path: Path) -> None:
    sql = AsyncSQLStore(f"sqlite+aiosqlite:///{tmp_path / 's.db'}")
    cookie = (
        await run(middleware(endpoint(lambda s: s.__setitem__("k", [1])), sql), http_scope())
    ).cookie()
    await run(
        middleware(endpoint(lambda s: s["k"].append(2)), sql), http_scope(f"session={cookie}")
    )
    seen: list[Any] = []
    await run(
        middleware(endpoint(lambda s: seen.append(dict(s))), sql), http_scope(f"session={cookie}")
    )
    assert seen == [{"k": [1, 2]}]
    await sql.close()


def test_a_sync_network_store_is_refused_and_memory_allowed(redis_url: str) -> None:
    blocking = ServerSideSessionInterface(RedisStore(redis_url))
    with pytest.raises(TypeError, match="would block the event loop"):
        SessionMiddleware(
            endpoint(lambda s: None), SessionConfig(secret_key=SECRET), interface=blocking
        )
    memory = ServerSideSessionInterface(MemoryStore())
    SessionMiddleware(endpoint(lambda s: None), SessionConfig(secret_key=SECRET), interface=memory)
    with pytest.raises(TypeError, match="sync stores go with ServerSideSessionInterface"):
        AsyncServerSideSessionInterface(MemoryStore())  # type: ignore[arg-type]


async def test_an_async_store_outside_the_asgi_middleware_says_so() -> None:
    store = AwaitingStore(AsyncRedisStore("redis://127.0.0.1:1/0"))
    with pytest.raises(RuntimeError, match=r"outside sessionware\.asgi\.SessionMiddleware"):
        store.get("sid")
    assert repr(store).startswith("<AsyncRedisStore 127.0.0.1:1")
    await store.async_store.close()


async def test_run_awaiting_passes_errors_back_into_the_sync_code() -> None:
    async def fails() -> None:
        raise KeyError("boom")

    def sync() -> str:
        try:
            await_(fails())
        except KeyError:
            return "caught inside"
        return "not raised"  # pragma: no cover

    assert await run_awaiting(sync) == "caught inside"
    assert logging.getLogger("sessionware")


async def test_an_app_failing_after_the_headers_commits_no_late_change(
    store: AsyncRedisStore, session_log: pytest.LogCaptureFixture
) -> None:
    cookie = (
        await run(middleware(endpoint(lambda s: s.__setitem__("u", 1)), store), http_scope())
    ).cookie()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"a", "more_body": True})
        scope["session"]["u"] = 2
        raise RuntimeError("the body failed")

    with pytest.raises(RuntimeError, match="the body failed"):
        await run(middleware(app, store), http_scope(f"session={cookie}"))
    assert "changes made since then are not saved" in session_log.text
    seen: list[Any] = []
    await run(
        middleware(endpoint(lambda s: seen.append(dict(s))), store), http_scope(f"session={cookie}")
    )
    assert seen == [{"u": 1}]


# session_metadata under ASGI: it is handed the request, built from the scope.

REQUEST_KEYS = (
    "REQUEST_METHOD",
    "SCRIPT_NAME",
    "PATH_INFO",
    "QUERY_STRING",
    "SERVER_NAME",
    "SERVER_PORT",
    "REMOTE_ADDR",
    "SERVER_PROTOCOL",
    "wsgi.url_scheme",
    "HTTP_USER_AGENT",
    "HTTP_ACCEPT",
    "CONTENT_TYPE",
)


def indexed(**options: Any) -> ServerSideSessionInterface:
    """A MemoryStore interface indexing sessions by "user", recording REQUEST_KEYS."""
    return ServerSideSessionInterface(
        MemoryStore(),
        user_key="user",
        session_metadata=lambda environ: {key: environ.get(key) for key in REQUEST_KEYS},
        **options,
    )


async def test_session_metadata_sees_the_request_as_a_wsgi_app_would() -> None:
    interface = indexed()
    app = SessionMiddleware(
        endpoint(lambda s: s.__setitem__("user", "ann")),
        SessionConfig(secret_key=SECRET),
        interface=interface,
    )
    scope = http_scope(
        path="/login",
        extra=[
            (b"user-agent", b"Phone/2.0"),
            (b"accept", b"text/html"),
            (b"accept", b"*/*"),
            (b"content-type", b"application/x-www-form-urlencoded"),
        ],
    )
    scope.update(method="POST", query_string=b"next=%2Fhome", root_path="/app")
    scope["client"] = ("203.0.113.9", 50123)
    assert (await run(app, scope)).cookie()
    [info] = interface.sessions_of("ann")
    assert info.metadata == {
        "REQUEST_METHOD": "POST",
        "SCRIPT_NAME": "/app",
        "PATH_INFO": "/login",
        "QUERY_STRING": "next=%2Fhome",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "203.0.113.9",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "HTTP_USER_AGENT": "Phone/2.0",
        "HTTP_ACCEPT": "text/html,*/*",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
    }


async def test_session_metadata_of_a_websocket_login() -> None:
    interface = indexed()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope["session"]["user"] = "bo"
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.close"})

    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = dict(http_scope(extra=[(b"user-agent", b"Tablet/1.0")]), type="websocket")
    scope.update(scheme="wss", server=("example.org", None))
    await SessionMiddleware(app, SessionConfig(secret_key=SECRET), interface=interface)(
        scope, receive, send
    )
    assert any(name == b"set-cookie" for name, _ in sent[0]["headers"])
    [info] = interface.sessions_of("bo")
    assert info.metadata["REQUEST_METHOD"] == "GET"
    assert info.metadata["wsgi.url_scheme"] == "https"
    assert info.metadata["SERVER_PORT"] == ""
    assert info.metadata["HTTP_USER_AGENT"] == "Tablet/1.0"


async def test_without_session_metadata_the_interface_reads_only_the_cookies() -> None:
    # The cheap path: the interface does not ask for the request, so none is built.
    seen: list[Any] = []

    class Recording(ServerSideSessionInterface):
        def open_session(self, config: SessionConfig, environ: Any) -> Any:
            seen.append(sorted(environ))
            return super().open_session(config, environ)

    interface = Recording(MemoryStore(), user_key="user")
    assert not interface.reads_request
    app = SessionMiddleware(
        endpoint(lambda s: s.get("user")), SessionConfig(secret_key=SECRET), interface=interface
    )
    await run(app, http_scope("session=x", extra=[(b"user-agent", b"Phone/2.0")]))
    assert seen == [["HTTP_COOKIE"]]
