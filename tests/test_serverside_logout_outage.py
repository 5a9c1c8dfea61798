"""Logout while the store is down: the cookie leaves the browser, or the request fails.

Against a private redis-server that the tests stop and start. With
``on_store_error="null"`` logout removes the cookie whatever the store does, deletes
the record if the store answers by the time the response is saved, and logs an
error when it cannot; with ``"raise"`` the request fails. It never looks done
when it is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from werkzeug.test import Client

from sessionware import (
    STORE_ERROR_KEY,
    ServerSideSessionInterface,
    SessionConfig,
    SessionMiddleware,
    StoreError,
    StoreUnavailableSession,
)
from sessionware.stores.redis import RedisStore
from sessionware.wsgi.middleware import StartResponse
from tests import _redis_server
from tests._redis_server import RedisServer

from ._apps import Browser, set_cookies
from .conftest import SECRET, FakeClock
from .test_serverside_policies import FlakyStore, records, stream

CONFIG = SessionConfig(secret_key=SECRET)
NOT_DELETED = "could not delete the session's stored record"

# Fixtures shared with the other stalled-Redis tests (tests/_redis_server.py).
server = _redis_server.server


def site(server: RedisServer, policy: Any, before_save: Callable[[], object]) -> Client:
    store = RedisStore(server.url, timeout=0.3, retries=0)

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        session = environ["session"]
        if environ["PATH_INFO"] == "/login":
            session["user"] = "ada"
        elif environ["PATH_INFO"] == "/logout":
            session.invalidate()
            before_save()
        body = "store down" if STORE_ERROR_KEY in environ else str(session.get("user"))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body.encode()]

    interface = ServerSideSessionInterface(store, on_store_error=policy)
    return Client(SessionMiddleware(app, secret_key=SECRET, interface=interface))


def stored_sessions(server: RedisServer) -> int:
    store = RedisStore(server.url)
    count = len(store.client.keys("session:*"))
    store.close()
    return count


def deletes_the_cookie(headers: list[str]) -> bool:
    return any(h.startswith("session=;") and "Max-Age=0" in h for h in headers)


def test_store_down_when_the_session_opens_the_cookie_is_still_removed(
    server: RedisServer, session_log: pytest.LogCaptureFixture
) -> None:
    client = site(server, "null", lambda: None)
    client.get("/login")
    stolen = client.get_cookie("session")
    assert stolen is not None
    server.stop()
    response = client.get("/logout")
    assert response.text == "store down"
    assert deletes_the_cookie(response.headers.getlist("Set-Cookie"))
    assert client.get_cookie("session") is None
    assert NOT_DELETED in session_log.text
    server.start()
    # Said in the log and the docs: the record lives until it expires.
    assert stored_sessions(server) == 1


def test_store_back_by_the_time_logout_saves_deletes_the_record_too(
    server: RedisServer,
) -> None:
    client = site(server, "null", server.start)
    client.get("/login")
    server.stop()
    response = client.get("/logout")  # opens while down; the handler brings it back
    assert response.text == "store down"
    assert deletes_the_cookie(response.headers.getlist("Set-Cookie"))
    assert stored_sessions(server) == 0


def test_delete_failing_at_save_still_removes_the_cookie(
    server: RedisServer, session_log: pytest.LogCaptureFixture
) -> None:
    client = site(server, "null", server.stop)
    client.get("/login")
    response = client.get("/logout")  # opens while up; the store dies before the save
    assert response.text == "None"
    assert deletes_the_cookie(response.headers.getlist("Set-Cookie"))
    assert client.get_cookie("session") is None
    assert NOT_DELETED in session_log.text
    server.start()
    assert stored_sessions(server) == 1


@pytest.mark.parametrize("down_at", ["open", "save"])
def test_with_the_raise_policy_logout_fails_loudly(server: RedisServer, down_at: str) -> None:
    client = site(server, "raise", server.stop if down_at == "save" else lambda: None)
    client.get("/login")
    if down_at == "open":
        server.stop()
    with pytest.raises(StoreError):
        client.get("/logout")
    server.start()
    assert client.get_cookie("session") is not None
    assert client.get("/").text == "ada"  # nothing pretended: still logged in


def test_a_late_logout_during_an_outage_deletes_the_record_when_it_can(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    store = FlakyStore(clock=clock)
    first = stream(clock, store, lambda s: s.__setitem__("a", 1), lambda s: None)
    first.get("/", buffered=True)

    def log_out_once_the_store_is_back(session: Any) -> None:
        store.failing.clear()
        session.invalidate()

    late = stream(
        clock, store, lambda s: s.get("a"), log_out_once_the_store_is_back, on_store_error="null"
    )
    late.set_cookie("session", first.get_cookie("session").value)  # type: ignore[union-attr]
    store.failing.add("get")
    response = late.get("/", buffered=True)
    assert set_cookies(response) == []  # the headers were out before the logout
    assert records(store) == []
    assert "invalidate() was called after the response headers were sent" in session_log.text


def test_a_read_only_request_during_an_outage_keeps_the_cookie(clock: FakeClock) -> None:
    store = FlakyStore(clock=clock)
    interface = ServerSideSessionInterface(store, clock=clock, on_store_error="null")
    browser = Browser(clock, interface=interface)
    browser.request(lambda s: s.__setitem__("user", "ada"))
    store.failing.add("get")
    response = browser.request(lambda s: s.get("user"))
    assert set_cookies(response) == []
    store.failing.clear()
    assert browser.request(lambda s: s.get("user")).text == "'ada'"


def test_a_session_started_after_logout_that_cannot_be_stored_still_logs_out(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    store = FlakyStore(clock=clock)
    interface = ServerSideSessionInterface(store, clock=clock, on_store_error="null")
    browser = Browser(clock, interface=interface)
    browser.request(lambda s: s.__setitem__("user", "ada"))

    def log_out_with_a_flash(session: Any) -> None:
        session.invalidate()
        session["flash"] = "bye"
        store.failing.add("set")

    response = browser.request(log_out_with_a_flash)
    assert deletes_the_cookie(set_cookies(response))
    assert records(store) == []
    assert "The session's changes were not saved" in session_log.text


def test_an_unavailable_session_that_was_not_logged_out_is_left_alone(clock: FakeClock) -> None:
    store = FlakyStore(clock=clock)
    interface = ServerSideSessionInterface(store, clock=clock, on_store_error="null")
    session = StoreUnavailableSession(sid="s" * 43)
    headers: list[tuple[str, str]] = []
    interface.save_session(CONFIG, session, headers)
    interface.close_session(CONFIG, session)
    assert headers == []
    assert interface.is_null_session(session)
    session.invalidate()
    assert not interface.is_null_session(session)
