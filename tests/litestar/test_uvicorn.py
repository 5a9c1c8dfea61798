"""sessionware's Litestar middleware under a real uvicorn, over loopback HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from websockets.sync.client import connect

from sessionware import SessionConfig
from sessionware.testing import read_session
from tests._servers import DEADLINE, Browser
from tests.asgi._uvicorn import LoggingServer, uvicorn
from tests.conftest import SECRET

pytestmark = pytest.mark.server

CONFIG = SessionConfig(secret_key=SECRET)


@pytest.fixture(scope="module")
def server() -> Iterator[LoggingServer]:
    running = uvicorn("tests.litestar._app:app")
    with running:
        yield running


@pytest.fixture(scope="module")
def serverside(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoggingServer]:
    database = tmp_path_factory.mktemp("litestar") / "sessions.db"
    running = uvicorn("tests.litestar._app:serverside_app", LITESTAR_TEST_DB=str(database))
    with running:
        yield running


def test_the_session_survives_requests(server: LoggingServer) -> None:
    browser = Browser(server.url)
    assert json.loads(browser.get("/count").body) == {"visits": 1}
    assert json.loads(browser.get("/count").body) == {"visits": 2}
    assert json.loads(browser.get("/session").body) == {"visits": 2}


def test_set_session_then_clear_session(server: LoggingServer) -> None:
    browser = Browser(server.url)
    browser.get("/count")
    login = browser.post("/login")
    assert read_session(login.header_values("Set-Cookie"), CONFIG) == {"user": "ada"}
    assert json.loads(browser.get("/session").body) == {"user": "ada"}
    logout = browser.post("/logout")
    assert read_session(logout.header_values("Set-Cookie"), CONFIG) == {}
    assert browser.cookies == {}
    assert json.loads(browser.get("/session").body) == {}


def test_a_handler_that_never_touches_the_session_sets_no_cookie(server: LoggingServer) -> None:
    browser = Browser(server.url)
    assert browser.get("/plain").header_values("Set-Cookie") == []
    browser.get("/count")
    reply = browser.get("/plain")
    assert reply.body == "no session here"
    assert reply.header_values("Set-Cookie") == []


def test_a_streamed_response_saves_a_change_made_before_its_first_chunk(
    server: LoggingServer,
) -> None:
    browser = Browser(server.url)
    assert browser.get("/stream").body == "one,two"
    assert json.loads(browser.get("/session").body) == {"streamed": True}


def test_a_websocket_reads_the_session_and_sets_the_cookie_on_accept(
    server: LoggingServer,
) -> None:
    browser = Browser(server.url)
    browser.get("/count")
    url = server.url.replace("http://", "ws://") + "/ws"
    headers = {"Cookie": f"session={browser.cookies['session']}"}
    with connect(url, additional_headers=headers, open_timeout=DEADLINE) as ws:
        assert ws.response is not None
        set_cookie = ws.response.headers["Set-Cookie"]
        assert json.loads(ws.recv(timeout=DEADLINE)) == {"visits": 1, "ws_visits": 1}
    assert read_session(set_cookie, CONFIG) == {"visits": 1, "ws_visits": 1}


def test_server_side_sessions_on_an_async_store(serverside: LoggingServer) -> None:
    browser = Browser(serverside.url)
    assert json.loads(browser.get("/count").body) == {"visits": 1}
    cookie = browser.cookies["session"]
    assert "visits" not in cookie
    browser.post("/login-model")
    assert json.loads(browser.get("/session").body) == {"user": "grace", "role": "admin"}
    assert browser.cookies["session"] == cookie
    browser.post("/logout")
    assert browser.cookies == {}
    # The record is gone: the old ID, presented again, is a fresh session.
    again = Browser(serverside.url, {"session": cookie})
    assert json.loads(again.get("/session").body) == {}
