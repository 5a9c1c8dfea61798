"""A save that Redis does not answer in time: the report says what happened to it.

A stalled Redis (its process stopped with SIGSTOP) still holds the commands waiting
in its sockets, and runs them when it resumes, after the client gave up. So a save
that timed out may land later; sessionware then asks the store (one script that also
stops it from ever landing later) and reports "saved" or "not saved", and says "may
have been saved" only when the store still does not answer.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
import redis
from werkzeug.test import Client

from sessionware import ServerSideSessionInterface, SessionMiddleware, StoreError
from sessionware.stores import UnconfirmedWrite
from sessionware.stores.redis import RedisStore
from sessionware.wsgi.middleware import StartResponse
from tests import _redis_server
from tests._redis_server import RedisServer, stored

from .conftest import SECRET

TIMEOUT = 0.3

# Fixtures shared with the other stalled-Redis tests (tests/_redis_server.py).
admin = _redis_server.admin
server = _redis_server.server


class RecoversAtTheCheck(RedisStore):
    """A RedisStore whose server's stall ends just as the store is asked about a write."""

    def __init__(self, url: str, end_stall: Any) -> None:
        super().__init__(url, timeout=TIMEOUT, retries=0, prefix="session:")
        self.end_stall = end_stall
        self.checks = 0

    def settle(self, sid: str, version: int | None, data: str, new_sid: str | None = None) -> Any:
        self.checks += 1
        self.end_stall()
        return super().settle(sid, version, data, new_sid)


def app_for(store: RedisStore, policy: Any, stall: Any) -> Client:
    def handler(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        session = environ["session"]
        path = environ["PATH_INFO"].strip("/")
        if path == "login":
            session["user"] = "alice"
        elif path == "add":
            session["cart"] = [*session.get("cart", []), "pen"]
            stall()
        elif path == "regenerate":
            session["role"] = "admin"
            session.regenerate()
            stall()
        elif path == "new":
            session["user"] = "bob"
            stall()
        body = json.dumps(dict(session), sort_keys=True)
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body.encode()]

    interface = ServerSideSessionInterface(store, on_store_error=policy)
    return Client(SessionMiddleware(handler, secret_key=SECRET, interface=interface))


@pytest.mark.parametrize("policy", ["raise", "null"])
def test_a_save_redis_runs_after_the_timeout_is_never_reported_not_saved(
    server: RedisServer, admin: redis.Redis, policy: Any, session_log: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(server.url, timeout=TIMEOUT, retries=0)
    stalled: list[bool] = []
    client = app_for(store, policy, lambda: server.pause() if stalled else None)
    client.get("/login")
    stalled.append(True)
    try:
        if policy == "raise":
            with pytest.raises(StoreError, match="may have been applied") as caught:
                client.get("/add")
            assert isinstance(caught.value, UnconfirmedWrite)
        else:
            assert client.get("/add").status_code == 200
            assert "The session's changes may have been saved" in session_log.text
        assert "not saved" not in session_log.text
    finally:
        server.resume()
    # What the stalled server held in its sockets ran when it resumed: the save landed.
    assert stored(admin) == [{"cart": ["pen"], "user": "alice"}]
    stalled.clear()
    assert client.get("/").json == {"cart": ["pen"], "user": "alice"}


@pytest.mark.parametrize("path", ["add", "regenerate", "new"])
def test_a_save_that_landed_before_the_check_is_saved_and_the_request_succeeds(
    server: RedisServer, admin: redis.Redis, path: str, session_log: pytest.LogCaptureFixture
) -> None:
    stalled: list[bool] = []
    store = RecoversAtTheCheck(server.url, server.resume)
    client = app_for(store, "raise", lambda: server.pause() if stalled else None)
    if path != "new":
        client.get("/login")
    else:
        # A connection in the pool, as in a running app: a new one to a stalled server
        # would time out in its handshake, before the write is sent (then nothing lands,
        # and the check says so).
        store.client.ping()
    before = client.get_cookie("session")
    stalled.append(True)
    try:
        response = client.get(f"/{path}")
    finally:
        server.resume()
    assert store.checks == 1  # the save did time out
    assert response.status_code == 200
    assert "a check afterwards found that it was applied" in session_log.text
    expected = {
        "add": {"cart": ["pen"], "user": "alice"},
        "regenerate": {"role": "admin", "user": "alice"},
        "new": {"user": "bob"},
    }[path]
    assert stored(admin) == [expected]
    # The response carries the cookie of the record that landed (a new one at
    # regenerate(), whose old ID is gone).
    if path != "add":
        cookie = client.get_cookie("session")
        assert cookie is not None
        assert before is None or cookie.value != before.value
    stalled.clear()
    assert client.get("/").json == expected


def test_a_save_redis_dropped_is_not_saved_and_can_never_land(
    server: RedisServer, admin: redis.Redis, session_log: pytest.LogCaptureFixture
) -> None:
    # CLIENT PAUSE WRITE holds write commands; redis-py closes the connection of one
    # that timed out, and Redis drops a held command whose client went away.
    stalled: list[bool] = []

    def pause_writes() -> None:
        if stalled:
            admin.execute_command("CLIENT", "PAUSE", "60000", "WRITE")  # type: ignore[no-untyped-call]

    def unpause() -> None:
        admin.execute_command("CLIENT", "UNPAUSE")  # type: ignore[no-untyped-call]

    store = RecoversAtTheCheck(server.url, unpause)
    client = app_for(store, "null", pause_writes)
    client.get("/login")
    stalled.append(True)
    try:
        assert client.get("/add").status_code == 200
    finally:
        unpause()
    assert store.checks == 1
    assert "was not applied, and made sure that it never will be" in session_log.text
    assert "The session's changes were not saved" in session_log.text
    assert stored(admin) == [{"user": "alice"}]
    stalled.clear()
    # The check bumped the record's version; the session goes on as usual.
    assert client.get("/add").json == {"cart": ["pen"], "user": "alice"}
    assert stored(admin) == [{"cart": ["pen"], "user": "alice"}]


# The settle script itself, on a record no write is pending for: it answers "not
# applied" and makes sure the write it was asked about can never land.


@pytest.fixture
def store(server: RedisServer) -> Iterator[RedisStore]:
    store = RedisStore(server.url, prefix=f"settle:{secrets.token_hex(4)}:")
    yield store
    store.close()


def test_settle_fences_a_compare_and_set(store: RedisStore) -> None:
    version = store.set("a" * 43, "one", 60, None)
    assert version is not None
    assert store.settle("a" * 43, version, "two") is None
    assert store.set("a" * 43, "two", 60, version) is None
    assert store.get("a" * 43) == ("one", version + 1)


def test_settle_fences_a_create(store: RedisStore) -> None:
    assert store.settle("b" * 43, None, "new") is None
    assert store.set("b" * 43, "new", 60, None) is None
    assert store.get("b" * 43) is None


def test_settle_fences_a_move(store: RedisStore) -> None:
    version = store.set("c" * 43, "one", 60, None)
    assert version is not None
    assert store.settle("c" * 43, version, "moved", "d" * 43) is None
    assert store.move("c" * 43, "d" * 43, "moved", 60, version) is None
    assert store.get("d" * 43) is None


def test_settle_finds_writes_that_landed(store: RedisStore) -> None:
    version = store.set("e" * 43, "one", 60, None)
    assert version is not None
    assert store.settle("e" * 43, None, "one") == version
    second = store.set("e" * 43, "two", 60, version)
    assert store.settle("e" * 43, version, "two") == second
    assert second is not None
    moved = store.move("e" * 43, "f" * 43, "three", 60, second)
    assert store.settle("e" * 43, second, "three", "f" * 43) == moved


def test_settle_cannot_tell_when_a_later_write_hides_the_answer(store: RedisStore) -> None:
    version = store.set("g" * 43, "one", 60, None)
    assert version is not None
    second = store.set("g" * 43, "two", 60, version)
    assert store.set("g" * 43, "three", 60, second) is not None
    with pytest.raises(StoreError, match="hides whether"):
        store.settle("g" * 43, version, "two")
