"""A Litestar app for the tests: each handler uses the session one way Litestar users do.

``app`` has signed-cookie sessions from the ``SESSIONWARE_*`` environment;
``serverside_app`` keeps them in SQLite (``LITESTAR_TEST_DB``) through an async store.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from litestar import Litestar, Request, WebSocket, get, post, websocket
from litestar.exceptions import NotAuthorizedException
from litestar.response import Stream

from sessionware import SessionConfig
from sessionware.asgi import AsyncServerSideSessionInterface
from sessionware.litestar import SessionMiddleware
from sessionware.stores.aiosql import AsyncSQLStore


@dataclass
class Login:
    """What a login handler may hand to ``request.set_session()``."""

    user: str
    role: str


@get("/count")
async def count(request: Request[Any, Any, Any]) -> dict[str, Any]:
    request.session["visits"] = request.session.get("visits", 0) + 1
    return {"visits": request.session["visits"]}


@get("/session")
async def show(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return request.session


@post("/login", status_code=200)
async def login(request: Request[Any, Any, Any]) -> None:
    request.set_session({"user": "ada"})


@post("/login-model", status_code=200)
async def login_model(request: Request[Any, Any, Any]) -> None:
    request.set_session(Login(user="grace", role="admin"))


@post("/logout", status_code=200)
async def logout(request: Request[Any, Any, Any]) -> None:
    request.clear_session()


@get("/plain")
async def plain() -> str:
    return "no session here"


@get("/health", opt={"no_session": True})
async def health(request: Request[Any, Any, Any]) -> dict[str, bool]:
    return {"has_session": "session" in request.scope}


@get("/denied")
async def denied(request: Request[Any, Any, Any]) -> None:
    request.session["denied"] = True
    raise NotAuthorizedException()


@get("/stream")
async def stream(request: Request[Any, Any, Any]) -> Stream:
    async def body() -> AsyncIterator[str]:
        # Litestar has sent the response start when this runs: the middleware holds
        # it until this first chunk, so the change still reaches the cookie.
        request.session["streamed"] = True
        yield "one,"
        yield "two"

    return Stream(body())


@websocket("/ws")
async def socket(socket: WebSocket[Any, Any, Any]) -> None:
    socket.session["ws_visits"] = socket.session.get("ws_visits", 0) + 1
    await socket.accept()
    await socket.send_json(socket.session)
    await socket.close()


HANDLERS = [count, show, login, login_model, logout, plain, health, denied, stream, socket]


def make_app(config: SessionConfig, store: AsyncSQLStore | None = None) -> Litestar:
    """The handlers behind sessionware's Litestar middleware; server-side in ``store``."""
    interface = AsyncServerSideSessionInterface(store) if store is not None else None
    middleware = SessionMiddleware(config, interface=interface, exclude_opt_key="no_session")
    # The store's connections belong to the app's event loop: closed when the app stops.
    on_shutdown = [store.close] if store is not None else []
    return Litestar(route_handlers=HANDLERS, middleware=[middleware], on_shutdown=on_shutdown)


def serverside(config: SessionConfig, database: str) -> Litestar:
    """The handlers with their sessions in SQLite, through sessionware's async store."""
    return make_app(config, AsyncSQLStore(f"sqlite+aiosqlite:///{database}"))


def _env_apps() -> tuple[Litestar | None, Litestar | None]:
    if "SESSIONWARE_SECRET_KEY" not in os.environ:
        return None, None
    config = SessionConfig.from_env()
    database = os.environ.get("LITESTAR_TEST_DB")
    return make_app(config), serverside(config, database) if database else None


app, serverside_app = _env_apps()
