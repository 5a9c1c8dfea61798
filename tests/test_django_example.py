"""examples/django_app.py under gunicorn: alone, and mounted beside a plain WSGI app."""

from __future__ import annotations

import json
import re

import pytest

from tests._servers import Browser, Server, clean_env, gunicorn_server

pytestmark = pytest.mark.server

SECRET = "an-example-test-secret-long-enough-for-hmac"
GREETING = re.compile(r"hello, (?P<name>[^.]+)\. Visits: (?P<visits>\d+)\.", re.IGNORECASE)


def gunicorn(target: str) -> Server:
    return gunicorn_server(target, env=clean_env(SESSIONWARE_SECRET_KEY=SECRET))


def greeting(browser: Browser, path: str) -> tuple[str, int]:
    reply = browser.get(path)
    assert reply.status == 200, reply.body
    match = GREETING.search(reply.body)
    assert match, reply.body
    return match["name"], int(match["visits"])


def test_the_django_example_alone() -> None:
    with gunicorn("examples.django_app:app") as server:
        browser = Browser(server.url)
        assert greeting(browser, "/") == ("stranger", 1)
        before = browser.cookies["session"]
        assert browser.post("/login", {"username": "<alice>"}).status == 303
        assert browser.cookies["session"] != before
        assert greeting(browser, "/") == ("&lt;alice&gt;", 2)
        assert browser.post("/logout").status == 303
        assert "session" not in browser.cookies
        assert greeting(browser, "/") == ("stranger", 1)
        assert browser.get("/login").status == 405


def test_django_and_a_plain_app_share_one_login() -> None:
    with gunicorn("tests._django_mount:app") as server:
        browser = Browser(server.url)
        assert greeting(browser, "/") == ("stranger", 1)
        assert browser.post("/django/login", {"username": "alice"}).status == 303
        assert greeting(browser, "/") == ("alice", 2)
        assert json.loads(browser.get("/django/whoami").body) == {"app": "django", "user": "alice"}
        assert browser.post("/logout").status == 303
        assert json.loads(browser.get("/django/whoami").body) == {"app": "django", "user": None}
        assert greeting(browser, "/django/") == ("stranger", 1)
