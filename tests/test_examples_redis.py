"""examples/redis_app.py, clicked through against a real Redis."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from examples.redis_app import make_app
from sessionware import SessionConfig
from tests._redis_server import RedisServer, private_redis

SECRET = "an-example-test-secret-long-enough-for-hmac"
GREETING = re.compile(r"Hello, (?P<name>[^.]+)\. Visits: (?P<visits>\d+)\.")


def page(client: Client, path: str = "/", **kwargs: Any) -> tuple[str, int, str]:
    response = client.get(path, **kwargs)
    assert response.status_code == 200, response.text
    match = GREETING.search(response.text)
    assert match, response.text
    return match["name"], int(match["visits"]), response.text


def test_counter_login_and_logout(redis_server: RedisServer) -> None:
    client = Client(make_app(redis_server.url, SessionConfig(secret_key=SECRET)))
    assert page(client)[:2] == ("stranger", 1)
    assert page(client)[:2] == ("stranger", 2)
    before_login = client.get_cookie("session")
    assert before_login is not None
    response = client.post("/login", data={"username": "<ada>"})
    assert response.status_code == 303
    after_login = client.get_cookie("session")
    assert after_login is not None
    assert after_login.value != before_login.value
    name, visits, text = page(client)
    assert (name, visits) == ("&lt;ada&gt;", 3)
    assert "Log out" in text
    assert client.post("/logout").status_code == 303
    assert client.get_cookie("session") is None
    assert page(client)[:2] == ("stranger", 1)
    assert client.get("/nope").status_code == 404


def test_pages_still_render_while_redis_is_down(tmp_path: Path) -> None:
    with private_redis(tmp_path) as server:
        client = Client(make_app(server.url, SessionConfig(secret_key=SECRET)))
        client.post("/login", data={"username": "ada"})
        assert page(client)[:2] == ("ada", 1)
        server.stop()
        name, _, text = page(client)
        assert name == "stranger"
        assert "Sessions are unavailable" in text
        assert client.post("/login", data={"username": "eve"}).status_code == 303
        server.start()
        assert page(client)[:2] == ("ada", 2)


def test_without_a_secret_key_a_process_key_is_made(
    redis_server: RedisServer, capsys: pytest.CaptureFixture[str]
) -> None:
    client = Client(make_app(redis_server.url, SessionConfig()))
    page(client)
    assert page(client)[:2] == ("stranger", 2)
    assert "SESSIONWARE_SECRET_KEY is not set" in capsys.readouterr().err
