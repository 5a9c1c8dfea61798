"""One login for a Flask app and a FastAPI app: the FastAPI half.

See ``examples/shared_login_flask.py`` for how to run both. FastAPI's
``request.session`` is sessionware's session here, the very one the Flask half reads
and writes. ``/ws`` is a websocket that greets whoever is logged in. With
``REDIS_URL`` set, sessions live in that Redis, read and written through the async
``AsyncRedisStore`` so that no request blocks the event loop.
"""

from __future__ import annotations

import os
from typing import Any

from fastapi import FastAPI, HTTPException, Request, WebSocket
from pydantic import BaseModel

from examples.shared_login_config import load_config
from sessionware import SessionInterface
from sessionware.asgi import AsyncServerSideSessionInterface, SessionMiddleware


class Login(BaseModel):
    """The body of ``POST /login``."""

    username: str


def make_interface() -> SessionInterface | None:
    """Server-side sessions in ``REDIS_URL`` (awaited), or ``None`` for cookie sessions.

    The same records as the Flask half's sync ``RedisStore``: same prefix, same secret.
    """
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    from sessionware.stores.aioredis import AsyncRedisStore

    return AsyncServerSideSessionInterface(AsyncRedisStore(url, prefix="shared-login:"))


app = FastAPI()
app.add_middleware(SessionMiddleware, load_config(), interface=make_interface())


@app.get("/whoami")
async def whoami(request: Request) -> dict[str, Any]:
    """Who is logged in, as this app sees it."""
    return {"user": request.session.get("user"), "app": "fastapi"}


@app.post("/login")
async def login(body: Login, request: Request) -> dict[str, Any]:
    """Log in under ``username`` with a new session identity (against fixation)."""
    username = body.username.strip()
    if not username:
        raise HTTPException(400, "username is required")
    # regenerate() and invalidate() are sessionware's; Starlette types the session as
    # a plain dict, so reach them through the scope.
    request.scope["session"].regenerate()
    request.session["user"] = username
    return {"user": username, "app": "fastapi"}


@app.post("/logout")
async def logout(request: Request) -> dict[str, Any]:
    """End the session: the cookie is deleted (and a stored session removed)."""
    request.scope["session"].invalidate()
    return {"user": None, "app": "fastapi"}


@app.websocket("/ws")
async def greet(websocket: WebSocket) -> None:
    """Send who is logged in over a websocket, then close."""
    await websocket.accept()
    await websocket.send_json({"user": websocket.session.get("user"), "app": "fastapi"})
    await websocket.close()
