"""examples/quart_app.py under a real hypercorn, over loopback HTTP and a websocket.

Each server starts on port 0 and is ready once hypercorn logs the port it was given
(nothing sleeps). The Flask example, under gunicorn with the same secret key, reads the
Quart example's login: one cookie for both frameworks, over real HTTP.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import connect

from sessionware import SessionConfig
from sessionware.testing import read_session
from tests._servers import BIN, DEADLINE, Browser, Server, clean_env, gunicorn_server

pytestmark = pytest.mark.server

SECRET = "a-quart-example-secret-long-enough-for-hmac"
CONFIG = SessionConfig(secret_key=SECRET)
GREETING = re.compile(r"Hello, (?P<name>[^.]+)\. Visits: (?P<visits>\d+)\.")


def hypercorn(**env: str) -> Server:
    """hypercorn serving the Quart example on a free port of 127.0.0.1."""
    return Server(
        [str(BIN / "hypercorn"), "--bind", "127.0.0.1:0", "examples.quart_app:app"],
        r"Running on http://127\.0\.0\.1:(?P<port>\d+)",
        env=clean_env(QUART_SECRET_KEY=SECRET, **env),
    )


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with hypercorn() as running:
        yield running


def greeting(browser: Browser, path: str = "/") -> tuple[str, int]:
    reply = browser.get(path)
    assert reply.status == 200, reply.body
    match = GREETING.search(reply.body)
    assert match, reply.body
    return match["name"], int(match["visits"])


def log_in_and_out(browser: Browser) -> None:
    assert greeting(browser) == ("stranger", 1)
    assert greeting(browser) == ("stranger", 2)
    before = browser.cookies["session"]
    assert browser.post("/login", {"username": "ada"}).status == 303
    assert browser.cookies["session"] != before
    assert greeting(browser) == ("ada", 3)
    assert json.loads(browser.get("/whoami").body) == {"user": "ada", "visits": 3}
    assert browser.post("/logout").status == 303
    assert "session" not in browser.cookies
    assert greeting(browser) == ("stranger", 1)


def test_the_visit_counter_login_and_logout(server: Server) -> None:
    log_in_and_out(Browser(server.url))


def test_a_websocket_greets_whoever_the_cookie_names(server: Server) -> None:
    browser = Browser(server.url)
    browser.post("/login", {"username": "grace"})
    url = server.url.replace("http://", "ws://") + "/ws"
    headers = {"Cookie": f"session={browser.cookies['session']}"}
    with connect(url, additional_headers=headers, open_timeout=DEADLINE) as ws:
        assert ws.recv(timeout=DEADLINE) == "Hello, grace."
    with connect(url, open_timeout=DEADLINE) as ws:
        assert ws.recv(timeout=DEADLINE) == "Hello, stranger."


def test_an_async_sql_store_keeps_the_session_on_the_server(tmp_path: Path) -> None:
    database = tmp_path / "sessions.sqlite3"
    with hypercorn(QUART_SESSION_STORE=f"sqlite:///{database}") as running:
        browser = Browser(running.url)
        browser.post("/login", {"username": "ada"})
        assert greeting(browser) == ("ada", 1)
        # The cookie holds a signed ID; the session is a row of the database.
        with sqlite3.connect(database) as db:
            [(data,)] = db.execute("SELECT data FROM sessionware_sessions").fetchall()
        assert json.loads(data) == {"user": "ada", "visits": 1}
        with pytest.raises(ValueError, match="does not verify"):
            read_session([f"session={browser.cookies['session']}"], CONFIG)
        log_in_and_out(Browser(running.url))


def test_the_flask_example_reads_the_quart_examples_login(server: Server) -> None:
    env = clean_env(FLASK_SECRET_KEY=SECRET)
    with gunicorn_server("examples.flask_app:app", env=env, workers=1) as flask_server:
        quart_browser = Browser(server.url)
        quart_browser.post("/login", {"username": "hedy"})
        greeting(quart_browser)
        flask_browser = Browser(flask_server.url, cookies=dict(quart_browser.cookies))
        assert json.loads(flask_browser.get("/whoami").body) == {"user": "hedy", "visits": 1}
        # And back: Flask counts a visit, Quart sees it.
        assert GREETING.search(flask_browser.get("/").body)
        quart_browser.cookies = dict(flask_browser.cookies)
        assert greeting(quart_browser) == ("hedy", 3)
