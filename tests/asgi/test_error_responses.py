"""A response an exception produced does not save the session (issue 16, item 8).

Starlette's ``ServerErrorMiddleware`` answers an unhandled exception with a 500 sent
through the middleware's ``send`` and only then re-raises, so the middleware sees a
complete response before it sees the exception. Wrapped directly around a Starlette
app, it must still not commit what the failed handler changed.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from sessionware import ServerSideSessionInterface, SessionConfig
from sessionware.asgi import SessionMiddleware
from sessionware.asgi.middleware import Message
from sessionware.stores import MemoryStore
from tests.conftest import SECRET

from ._asgi import http_scope, run


async def fail(request: Request) -> PlainTextResponse:
    request.session["user"] = "mallory"
    raise RuntimeError("the handler failed after writing the session")


async def refuse(request: Request) -> PlainTextResponse:
    request.session["attempts"] = 1
    return PlainTextResponse("deliberately unavailable", status_code=500)


def wrapped(**options: Any) -> SessionMiddleware:
    """A Starlette app (with its own ServerErrorMiddleware) wrapped directly."""
    app = Starlette(routes=[Route("/fail", fail), Route("/refuse", refuse)])
    return SessionMiddleware(app, **options)


def test_a_handler_that_raises_gets_a_500_without_its_session_change() -> None:
    app = wrapped(config=SessionConfig(secret_key=SECRET))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/fail")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    assert "set-cookie" not in response.headers


def test_the_exception_still_reaches_the_server() -> None:
    app = wrapped(secret_key=SECRET)
    with TestClient(app) as client, pytest.raises(RuntimeError, match="after writing"):
        client.get("/fail")


def test_a_raising_handler_writes_nothing_to_the_store() -> None:
    store = MemoryStore()
    interface = ServerSideSessionInterface(store)
    app = wrapped(config=SessionConfig(secret_key=SECRET), interface=interface)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/fail")
    assert response.status_code == 500
    assert "set-cookie" not in response.headers
    assert len(store) == 0


def test_a_500_the_handler_returns_saves_the_session() -> None:
    app = wrapped(config=SessionConfig(secret_key=SECRET))
    with TestClient(app) as client:
        response = client.get("/refuse")
    assert response.status_code == 500
    assert response.text == "deliberately unavailable"
    assert response.headers["set-cookie"].startswith("session=")


async def error_page(scope: Any, receive: Any, send: Any) -> None:
    """A raw ASGI app that writes, answers 503 in one message, then raises."""
    scope["session"]["user"] = "mallory"
    await send({"type": "http.response.start", "status": 503, "headers": []})
    await send({"type": "http.response.body", "body": b"down"})
    raise RuntimeError("after the error page")


@pytest.mark.anyio
async def test_a_raw_app_that_raises_after_its_5xx_response_keeps_the_response() -> None:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    app = SessionMiddleware(error_page, secret_key=SECRET)
    with pytest.raises(RuntimeError, match="after the error page"):
        await app(http_scope(), receive, send)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 503
    assert not [name for name, _ in sent[0]["headers"] if name == b"set-cookie"]
    assert sent[1]["body"] == b"down"


@pytest.mark.anyio
async def test_trailers_after_a_5xx_release_it_with_the_session_saved() -> None:
    async def with_trailers(scope: Any, receive: Any, send: Any) -> None:
        scope["session"]["user"] = "trent"
        await send({"type": "http.response.start", "status": 500, "trailers": True})
        await send({"type": "http.response.body", "body": b"partial"})
        await send({"type": "http.response.trailers", "headers": [], "more_trailers": False})

    reply = await run(SessionMiddleware(with_trailers, secret_key=SECRET), http_scope())
    assert [m["type"] for m in reply.messages] == [
        "http.response.start",
        "http.response.body",
        "http.response.trailers",
    ]
    assert reply.cookie() is not None


def test_placed_first_in_starlettes_middleware_list_a_raising_handler_saves_nothing() -> None:
    app = Starlette(
        routes=[Route("/fail", fail)],
        middleware=[Middleware(SessionMiddleware, config=SessionConfig(secret_key=SECRET))],
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/fail")
    assert response.status_code == 500
    assert "set-cookie" not in response.headers
