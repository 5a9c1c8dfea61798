"""``copy.deepcopy(session)`` and ``copy.copy(session)``: a plain dict of the data.

Starlette's ``request.session`` is a dict, so copying it gives a dict; sessionware's
sessions copy the same way, under WSGI and ASGI, opened or not, whatever the back end.
The copy is detached: changing it (nested values included, for a deep copy) changes
nothing in the session or its cookie. Before, every copy of the session a handler sees
raised ``TypeError: cannot pickle '_hashlib.HMAC' object`` (it held the interface).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from flask import Flask
from flask import session as flask_session
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from sessionware import (
    EncryptedCookieSessionInterface,
    SecureCookieSessionInterface,
    ServerSideSessionInterface,
    SessionConfig,
    SessionInterface,
)
from sessionware.asgi import SessionMiddleware as ASGISessionMiddleware
from sessionware.flask.bridge import init_app
from sessionware.stores import MemoryStore

from ._apps import Browser
from .asgi._asgi import endpoint, http_scope, run
from .conftest import SECRET, FakeClock

DATA = {"user_id": "ada", "cart": [1, 2], "prefs": {"theme": "dark"}}


def build(kind: str, clock: FakeClock) -> SessionInterface:
    if kind == "encrypted":
        return EncryptedCookieSessionInterface(clock=clock)
    if kind == "server-side":
        # With session_metadata the stored session keeps the request's environ.
        return ServerSideSessionInterface(
            MemoryStore(clock=clock),
            user_key="user_id",
            session_metadata=lambda environ: {"agent": "test"},
            clock=clock,
        )
    return SecureCookieSessionInterface(clock=clock)


KINDS = ["signed", "encrypted", "server-side"]


def data(mapping: Any) -> dict[str, Any]:
    """The app's data, without the creation time a server-side session records."""
    return {key: value for key, value in mapping.items() if key != "_created"}


def copies(session: Any) -> dict[str, Any]:
    """Deep-copy the session (and the session under it), spoil the copies, report."""
    deep = copy.deepcopy(session)
    shallow = copy.copy(session)
    real = copy.deepcopy(session.load()) if hasattr(session, "load") else deep
    for made in (deep, real):
        made["cart"].append(3)
        made["prefs"]["theme"] = "light"
    shallow["user_id"] = "mallory"
    return {
        "types": sorted({type(deep).__name__, type(shallow).__name__, type(real).__name__}),
        "deep": data(deep),
        "shallow_shares_nested": shallow["cart"] is session["cart"],
        "session": data(session),
    }


def expected() -> dict[str, Any]:
    spoiled = {"user_id": "ada", "cart": [1, 2, 3], "prefs": {"theme": "light"}}
    return {"types": ["dict"], "deep": spoiled, "shallow_shares_nested": True, "session": DATA}


@pytest.mark.parametrize("kind", KINDS)
def test_deepcopy_under_wsgi_is_a_detached_dict(kind: str, clock: FakeClock) -> None:
    browser = Browser(clock, build(kind, clock))
    browser.request(lambda s: s.update(copy.deepcopy(DATA)))
    results: list[dict[str, Any]] = []
    response = browser.request(lambda s: results.append(copies(s)))
    assert response.status_code == 200
    assert results == [expected()]
    # Nothing done to the copies reached the cookie.
    response = browser.request(lambda s: data(s) == DATA)
    assert response.text == "True"


@pytest.mark.parametrize("kind", KINDS)
def test_deepcopy_under_asgi_is_a_detached_dict(kind: str, clock: FakeClock) -> None:
    interface = build(kind, clock)

    def middleware(handler: Callable[[Any], Any]) -> ASGISessionMiddleware:
        config = SessionConfig(secret_key=SECRET)
        return ASGISessionMiddleware(endpoint(handler), config=config, interface=interface)

    written = anyio.run(run, middleware(lambda s: s.update(copy.deepcopy(DATA))), http_scope())
    cookie = f"session={written.cookie()}"
    results: list[dict[str, Any]] = []
    reply = anyio.run(run, middleware(lambda s: results.append(copies(s))), http_scope(cookie))
    assert reply.status == 200
    assert reply.header_values("set-cookie") == []
    assert results == [expected()]


def test_deepcopy_of_an_unopened_or_null_session() -> None:
    results: list[object] = []
    # No secret key: the handler gets a NullSession, read-only and empty.
    browser = Browser(secret_key=None)
    browser.request(lambda s: results.append(copy.deepcopy(s)))
    browser.request(lambda s: results.append(copy.deepcopy(s.load())))
    assert results == [{}, {}]
    assert all(type(result) is dict for result in results)


def test_deepcopy_of_starlettes_request_session() -> None:
    async def show(request: Request) -> JSONResponse:
        request.session["cart"] = [1]
        snapshot = copy.deepcopy(request.session)
        snapshot["cart"].append(2)
        return JSONResponse({"type": type(snapshot).__name__, "copy": snapshot})

    async def read(request: Request) -> JSONResponse:
        return JSONResponse(dict(request.session))

    app = Starlette(
        routes=[Route("/", show), Route("/read", read)],
        middleware=[Middleware(ASGISessionMiddleware, secret_key=SECRET)],
    )
    with TestClient(app) as client:
        assert client.get("/").json() == {"type": "dict", "copy": {"cart": [1, 2]}}
        assert client.get("/read").json() == {"cart": [1]}


def test_deepcopy_of_flask_session() -> None:
    app = Flask("copying")
    app.secret_key = SECRET
    init_app(app)

    @app.get("/")
    def show() -> dict[str, Any]:
        flask_session["cart"] = [1]
        snapshot = copy.deepcopy(flask_session)
        snapshot["cart"].append(2)
        return {"type": type(snapshot).__name__, "copy": snapshot}

    @app.get("/read")
    def read() -> dict[str, Any]:
        return dict(flask_session)

    client = app.test_client()
    assert client.get("/").get_json() == {"type": "dict", "copy": {"cart": [1, 2]}}
    assert client.get("/read").get_json() == {"cart": [1]}
