"""Starlette and FastAPI apps, through Starlette's TestClient: request.session works.

Also the migration from Starlette's own SessionMiddleware: its cookies, written by the
real Starlette, are read once and re-issued in sessionware's format.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.datastructures import Secret
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware as StarletteSessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from sessionware import SessionConfig
from sessionware.asgi import SessionMiddleware, StarletteCompatInterface
from tests.conftest import SECRET

from .test_middleware import flask_reads


async def view(request: Request) -> JSONResponse:
    return JSONResponse({"session": request.session})


async def write(request: Request) -> JSONResponse:
    request.session.update(await request.json())
    return JSONResponse({"session": request.session})


async def nothing(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def socket(websocket: WebSocket) -> None:
    await websocket.accept()
    await websocket.send_json({"user": websocket.session.get("user")})
    await websocket.close()


ROUTES = [
    Route("/", view),
    Route("/write", write, methods=["POST"]),
    Route("/nothing", nothing),
    WebSocketRoute("/ws", socket),
]


def starlette_app(middleware: Any = SessionMiddleware, **settings: Any) -> Starlette:
    return Starlette(routes=ROUTES, middleware=[Middleware(middleware, **settings)])


def test_starlette_request_session_reads_and_writes_a_flask_cookie() -> None:
    with TestClient(starlette_app(config=SessionConfig(secret_key=SECRET))) as client:
        assert client.get("/").json() == {"session": {}}
        response = client.post("/write", json={"user": "alice"})
        assert response.json() == {"session": {"user": "alice"}}
        assert flask_reads(response.cookies["session"]) == {"user": "alice"}
        assert client.get("/").json() == {"session": {"user": "alice"}}
        untouched = client.get("/nothing")
        assert "set-cookie" not in untouched.headers
        assert "vary" not in untouched.headers


def test_a_websocket_reads_the_session() -> None:
    with TestClient(starlette_app(config=SessionConfig(secret_key=SECRET))) as client:
        client.post("/write", json={"user": "bob"})
        with client.websocket_connect("/ws") as ws:
            assert ws.receive_json() == {"user": "bob"}


def test_fastapi_request_session() -> None:
    app = FastAPI()
    app.add_middleware(SessionMiddleware, config=SessionConfig(secret_key=SECRET))

    @app.post("/login/{name}")
    async def login(name: str, request: Request) -> dict[str, Any]:
        request.session["user"] = name
        return {"session": request.session}

    @app.get("/me")
    async def me(request: Request) -> dict[str, Any]:
        return request.session

    @app.get("/nested")
    async def nested(request: Request) -> dict[str, Any]:
        # FastAPI's serializer reads the dict's storage once it is opened: the
        # session's storage must mirror its data, not only hold the placeholder.
        return {"session": request.session}

    with TestClient(app) as client:
        assert client.get("/me").json() == {}
        assert client.post("/login/carol").json() == {"session": {"user": "carol"}}
        assert client.get("/me").json() == {"user": "carol"}
        assert client.get("/nested").json() == {"session": {"user": "carol"}}


def test_asking_for_request_session_counts_as_a_read_as_under_starlettes_middleware() -> None:
    """Starlette's request.session marks its session accessed; so does ours, opening it
    (a serializer may then read the dict's storage without calling a method)."""

    async def hand_on(request: Request) -> PlainTextResponse:
        _ = request.session
        return PlainTextResponse("ok")

    async def untouched(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    app = SessionMiddleware(
        Starlette(routes=[Route("/hand-on", hand_on), Route("/untouched", untouched)]),
        config=SessionConfig(secret_key=SECRET),
    )
    with TestClient(app) as client:
        asked = client.get("/hand-on")
        assert asked.headers.get("vary") == "Cookie"
        assert "set-cookie" not in asked.headers
        assert "vary" not in client.get("/untouched").headers


def test_starlettes_keywords_mean_starlettes_cookie_lifetime() -> None:
    app = starlette_app(secret_key=Secret(SECRET), session_cookie="sid", max_age=3600)
    with TestClient(app) as client:
        response = client.post("/write", json={"user": "dan"})
        header = response.headers["set-cookie"]
        assert header.startswith("sid=")
        assert "; Max-Age=3600;" in header
        # Starlette sends the cookie only when the session changed.
        read = client.get("/")
        assert read.json() == {"session": {"user": "dan"}}
        assert "set-cookie" not in read.headers


def test_max_age_none_is_a_browser_session_cookie() -> None:
    with TestClient(starlette_app(secret_key=SECRET, max_age=None)) as client:
        header = client.post("/write", json={"user": "eve"}).headers["set-cookie"]
        assert "Max-Age" not in header
        assert "Expires" not in header


def test_mixing_starlette_and_sessionware_keywords_is_refused() -> None:
    with pytest.raises(TypeError, match=r"Starlette's keywords \(max_age\) and sessionware's"):
        SessionMiddleware(nothing, secret_key=SECRET, max_age=10, cookie_secure=True)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_age must be an int"):
        SessionMiddleware(nothing, secret_key=SECRET, max_age="10")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="max_age must be an int"):
        StarletteCompatInterface(max_age=1.5)  # type: ignore[arg-type]


def test_max_age_zero_warns_and_keeps_no_session(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="sessionware"):
        app = starlette_app(secret_key=SECRET, max_age=0)
        with TestClient(app) as client:
            response = client.post("/write", json={"user": "fay"})
            assert "; Max-Age=0;" in response.headers["set-cookie"]
            cookie = response.headers["set-cookie"].split(";")[0].split("=", 1)[1]
            client.cookies.set("session", cookie)
            assert client.get("/").json() == {"session": {}}
    assert "max_age=0: every session cookie expires" in caplog.text
    assert "max_age=0 expires every cookie" in caplog.text


def starlette_cookie(secret: str, data: dict[str, Any]) -> str:
    """A cookie written by Starlette's own SessionMiddleware."""
    with TestClient(starlette_app(StarletteSessionMiddleware, secret_key=secret)) as client:
        response = client.post("/write", json=data)
        value: str = response.cookies["session"]
    assert not value.startswith("eyJ") or "." in value
    return value


def test_a_starlette_cookie_is_read_once_and_reissued_in_sessionwares_format(
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = starlette_cookie(SECRET, {"user": "gil", "cart": [1]})
    app = starlette_app(secret_key=SECRET)
    with caplog.at_level(logging.INFO, logger="sessionware"), TestClient(app) as client:
        response = client.get("/", headers={"cookie": f"session={old}"})
        assert response.json() == {"session": {"user": "gil", "cart": [1]}}
        new = response.cookies["session"]
        assert new != old
        assert flask_reads(new) == {"user": "gil", "cart": [1]}
        # From now on the cookie is sessionware's: read without re-issuing.
        again = client.get("/")
        assert again.json() == {"session": {"user": "gil", "cart": [1]}}
        assert "set-cookie" not in again.headers
    [record] = [r for r in caplog.records if "Starlette" in r.getMessage()]
    assert "re-issuing it in sessionware's format" in record.getMessage()
    assert old not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_starlette_cookie_signed_with_a_fallback_key_migrates_too() -> None:
    old_secret = "the-old-starlette-secret-long-enough-for-hmac"
    old = starlette_cookie(old_secret, {"user": "hal"})
    config = SessionConfig(secret_key=SECRET, secret_key_fallbacks=[old_secret])
    app = starlette_app(config=config, interface=StarletteCompatInterface())
    with TestClient(app, cookies={"session": old}) as client:
        assert client.get("/").json() == {"session": {"user": "hal"}}


def test_a_starlette_cookie_with_another_secret_is_refused_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    old = starlette_cookie("some-other-secret-that-is-long-enough-xx", {"user": "ivy"})
    app = starlette_app(secret_key=SECRET)
    with (
        caplog.at_level(logging.INFO, logger="sessionware"),
        TestClient(app, cookies={"session": old}) as client,
    ):
        assert client.get("/").json() == {"session": {}}
    assert "does not match any configured key" in caplog.text


def test_sessionware_settings_do_not_read_starlette_cookies() -> None:
    old = starlette_cookie(SECRET, {"user": "jon"})
    app = starlette_app(config=SessionConfig(secret_key=SECRET))
    with TestClient(app, cookies={"session": old}) as client:
        assert client.get("/").json() == {"session": {}}
