"""Stopping a real Redis mid-run: each on_store_error policy does what it says.

The server is a private redis-server; SHUTDOWN SAVE stops it with its data on disk
and starting it again loads that data, so after the outage every stored session must
read back exactly as it was before.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import pytest
from werkzeug.test import Client

from sessionware import (
    STORE_ERROR_KEY,
    ServerSideSessionInterface,
    SessionMiddleware,
    SessionUnavailable,
    StoreError,
)
from sessionware.stores.redis import RedisStore
from sessionware.wsgi.middleware import StartResponse
from tests import _redis_server
from tests._redis_server import RedisServer

from .conftest import SECRET

TIMEOUT = 0.3

# Fixtures shared with the other stalled-Redis tests (tests/_redis_server.py).
server = _redis_server.server


def app_for(store: RedisStore, policy: Any, hooks: dict[str, Any]) -> Client:
    def handler(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        session = environ["session"]
        path = environ["PATH_INFO"].strip("/")
        user = session.get("user")
        if path == "login":
            session["user"] = environ["QUERY_STRING"]
            session["cart"] = ["book"]
        elif path == "add":
            session["cart"] = [*session.get("cart", []), "pen"]
            hooks.get("after_change", lambda: None)()
        elif path == "write":
            try:
                session["visits"] = 1
            except SessionUnavailable:
                user = "refused"
        error = environ.get(STORE_ERROR_KEY)
        body = f"{user} ({error.reason})" if error else str(user)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body.encode()]

    interface = ServerSideSessionInterface(store, on_store_error=policy)
    return Client(SessionMiddleware(handler, secret_key=SECRET, interface=interface))


def dump(server: RedisServer) -> dict[Any, Any]:
    store = RedisStore(server.url)
    keys = store.client.keys("session:*")
    state = {key: store.client.hgetall(key) for key in keys}
    store.close()
    return state


def test_each_policy_through_an_outage_and_nothing_is_damaged(server: RedisServer) -> None:
    store = RedisStore(server.url, timeout=TIMEOUT, retries=0)
    loud = app_for(store, "raise", {})
    lenient = app_for(store, "null", {})
    loud.get("/login?alice")
    lenient.get("/login?bob")
    before = dump(server)
    assert len(before) == 2

    server.stop()
    with pytest.raises(StoreError, match="Redis: ConnectionError"):
        loud.get("/")
    with pytest.raises(StoreError):
        loud.get("/add")
    response = lenient.get("/")
    assert response.status_code == 200
    assert response.text.startswith("None (Redis: ConnectionError")
    assert lenient.get("/write").text.startswith("refused")
    assert response.headers.getlist("Set-Cookie") == []

    server.start()
    assert dump(server) == before
    assert loud.get("/").text == "alice"
    assert lenient.get("/").text == "bob"
    lenient.get("/add")
    assert lenient.get("/write").text == "bob"


@pytest.mark.parametrize("policy", ["raise", "null"])
def test_an_outage_between_load_and_save_writes_nothing(
    server: RedisServer, policy: Any, session_log: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(server.url, timeout=TIMEOUT, retries=0)
    hooks: dict[str, Any] = {}
    client = app_for(store, policy, hooks)
    client.get("/login?alice")
    before = dump(server)
    hooks["after_change"] = server.stop
    if policy == "raise":
        with pytest.raises(StoreError):
            client.get("/add")
    else:
        response = client.get("/add")
        assert response.status_code == 200
        assert response.headers.getlist("Set-Cookie") == []
        # The server is down, so whether a write got through cannot be asked: the log
        # does not claim "not saved" (tests/test_serverside_unanswered_save.py).
        assert "The session's changes may have been saved" in session_log.text
    hooks.clear()
    server.start()
    assert dump(server) == before
    assert client.get("/").text == "alice"


def test_a_frozen_server_fails_requests_within_the_timeout(server: RedisServer) -> None:
    store = RedisStore(server.url, timeout=TIMEOUT, retries=1)
    client = app_for(store, "raise", {})
    client.get("/login?alice")
    server.pause()
    try:
        started = time.monotonic()
        with pytest.raises(StoreError, match="Timeout"):
            client.get("/")
        elapsed = time.monotonic() - started
    finally:
        server.resume()
    assert TIMEOUT <= elapsed < TIMEOUT * 2 + 1.0  # two attempts, then it gives up
    assert client.get("/").text == "alice"
