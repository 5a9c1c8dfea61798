"""sessionware.asgi under a real uvicorn, over loopback HTTP and websockets."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx2
import pytest
from websockets.sync.client import connect

from tests._servers import DEADLINE

from ._uvicorn import LoggingServer as Server
from ._uvicorn import uvicorn

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = uvicorn("tests.asgi._starlette_app:app")
    with running:
        yield running


@pytest.fixture
def client(server: Server) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=server.url, timeout=DEADLINE) as http:
        yield http


def test_the_session_survives_requests(client: httpx2.Client) -> None:
    assert client.get("/count").json() == {"session": {"visits": 1}}
    assert client.get("/count").json() == {"session": {"visits": 2}}


def test_a_change_made_while_starting_to_stream_is_saved(client: httpx2.Client) -> None:
    response = client.get("/stream")
    assert response.text == "one,two"
    assert "session" in response.cookies
    assert client.get("/count").json() == {"session": {"streamed": True, "visits": 1}}


def test_a_websocket_reads_the_session_and_sets_the_cookie_on_accept(
    server: Server, client: httpx2.Client
) -> None:
    client.get("/count")
    url = server.url.replace("http://", "ws://") + "/ws"
    headers = {"Cookie": f"session={client.cookies['session']}"}
    with connect(url, additional_headers=headers, open_timeout=DEADLINE) as ws:
        assert ws.response is not None
        set_cookie = ws.response.headers["Set-Cookie"]
        assert json.loads(ws.recv(timeout=DEADLINE)) == {"session": {"visits": 1, "ws_visits": 1}}
    with httpx2.Client(base_url=server.url, timeout=DEADLINE) as http:
        after = http.get("/count", headers={"Cookie": set_cookie.split(";")[0]})
    assert after.json() == {"session": {"visits": 2, "ws_visits": 1}}


@pytest.mark.parametrize(
    "cookie",
    [
        pytest.param("session=garbage-without-a-signature", id="garbled"),
        pytest.param("session=eyJ2aXNpdHMiOjk5fQ.aw9AIg.c2lnbmF0dXJlLW9mLW5vYm9keQ", id="tampered"),
        pytest.param("session=%FF%FE\u00ff", id="not-ascii"),
    ],
)
def test_a_bad_cookie_is_a_fresh_session_and_a_log_line(server: Server, cookie: str) -> None:
    before = len(server.lines)
    with httpx2.Client(base_url=server.url, timeout=DEADLINE) as http:
        response = http.get("/count", headers={b"Cookie": cookie.encode("latin-1")})
    assert response.status_code == 200
    assert response.json() == {"session": {"visits": 1}}
    logged = server.wait_for("Refused the 'session' session cookie", before)
    assert cookie.split("=", 1)[1] not in logged
