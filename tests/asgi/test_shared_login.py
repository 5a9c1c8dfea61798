"""One login across WSGI and ASGI: Flask under gunicorn, FastAPI under uvicorn, one secret.

Both servers listen on 127.0.0.1 (on different ports, which cookies ignore), and one
client with one cookie jar talks to both, as a browser would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from websockets.sync.client import connect

from tests._servers import DEADLINE, Server

from ._uvicorn import gunicorn, uvicorn

pytestmark = pytest.mark.server


@pytest.fixture(scope="module", params=["cookie", "redis"])
def servers(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """Both apps; with ``redis`` both keep sessions in one Redis (sync and async store)."""
    env = {}
    if request.param == "redis":
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
    with (
        gunicorn("examples.shared_login_flask:app", **env) as flask_server,
        uvicorn("examples.shared_login_fastapi:app", **env) as fastapi_server,
    ):
        yield {"flask": flask_server, "fastapi": fastapi_server, "store": request.param}


@pytest.fixture
def browser() -> Iterator[httpx2.Client]:
    with httpx2.Client(timeout=DEADLINE) as client:
        yield client


def whoami(browser: httpx2.Client, server: Server) -> Any:
    response = browser.get(f"{server.url}/whoami")
    assert response.status_code == 200, response.text
    assert response.headers["vary"] == "Cookie"
    return response.json()["user"]


@pytest.mark.parametrize(
    ("login_on", "logout_on"),
    [
        pytest.param("flask", "fastapi", id="login-flask-logout-fastapi"),
        pytest.param("fastapi", "flask", id="login-fastapi-logout-flask"),
        pytest.param("flask", "flask", id="flask-only"),
        pytest.param("fastapi", "fastapi", id="fastapi-only"),
    ],
)
def test_log_in_on_either_is_logged_in_on_both_and_out_likewise(
    servers: dict[str, Any], browser: httpx2.Client, login_on: str, logout_on: str
) -> None:
    assert whoami(browser, servers["flask"]) is None
    assert whoami(browser, servers["fastapi"]) is None

    response = browser.post(f"{servers[login_on].url}/login", json={"username": "alice"})
    assert response.status_code == 200, response.text
    assert whoami(browser, servers["flask"]) == "alice"
    assert whoami(browser, servers["fastapi"]) == "alice"

    cookie = browser.cookies["session"]
    if servers["store"] == "redis":
        # The cookie holds a signed session ID, no user data.
        assert "alice" not in cookie
    response = browser.post(f"{servers[logout_on].url}/logout")
    assert response.status_code == 200, response.text
    assert "session" not in browser.cookies
    # The old cookie, replayed, is logged out too (with Redis: its record is gone).
    replay = httpx2.get(f"{servers['fastapi'].url}/whoami", headers={"Cookie": f"session={cookie}"})
    if servers["store"] == "redis":
        assert replay.json()["user"] is None
    assert whoami(browser, servers["flask"]) is None
    assert whoami(browser, servers["fastapi"]) is None


def test_a_websocket_on_uvicorn_sees_the_login_made_on_flask(
    servers: dict[str, Any], browser: httpx2.Client
) -> None:
    browser.post(f"{servers['flask'].url}/login", json={"username": "bob"})
    cookie = f"session={browser.cookies['session']}"
    url = servers["fastapi"].url.replace("http://", "ws://") + "/ws"
    with connect(url, additional_headers={"Cookie": cookie}, open_timeout=DEADLINE) as ws:
        assert ws.recv(timeout=DEADLINE) == '{"user":"bob","app":"fastapi"}'
