"""examples/pyramid_app.py, clicked through as a user would: counter, CSRF, login, flash."""

from __future__ import annotations

import re

import pytest
from werkzeug.test import Client

from tests._servers import Browser, clean_env, gunicorn_server
from tests.test_examples import SECRET, greeting, load, session_cookie

TOKEN = re.compile(r'name="csrf_token"\s+value="(?P<token>\w+)"')


def token_of(page: str) -> str:
    match = TOKEN.search(page)
    assert match, page
    return match["token"]


def test_counter_login_flash_and_logout(monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(load("pyramid_app", monkeypatch, SESSIONWARE_SECRET_KEY=SECRET).app)
    assert greeting(client.get("/")) == ("stranger", 1)
    page = client.get("/")
    assert greeting(page) == ("stranger", 2)
    before = session_cookie(client)

    form = {"username": "  <alice>  ", "csrf_token": token_of(page.text)}
    response = client.post("/login", data=form)
    assert response.status_code == 303
    assert session_cookie(client) not in (None, before)
    page = client.get("/")
    assert greeting(page) == ("&lt;alice&gt;", 3)
    assert "<p class=flash>Welcome, &lt;alice&gt;.</p>" in page.text
    # The flash is shown once; logging in made a new CSRF token.
    assert "flash" not in client.get("/").text
    assert token_of(page.text) != form["csrf_token"]

    response = client.post("/logout", data={"csrf_token": token_of(page.text)})
    assert response.status_code == 303
    assert session_cookie(client) is None
    assert greeting(client.get("/")) == ("stranger", 1)


def test_a_post_without_the_csrf_token_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(load("pyramid_app", monkeypatch, SESSIONWARE_SECRET_KEY=SECRET).app)
    client.get("/")
    assert client.post("/login", data={"username": "mallory"}).status_code == 400
    assert client.post("/login", data={"username": "m", "csrf_token": "x"}).status_code == 400
    assert greeting(client.get("/")) == ("stranger", 2)


def test_unknown_pages_are_404(monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(load("pyramid_app", monkeypatch, SESSIONWARE_SECRET_KEY=SECRET).app)
    assert client.get("/nowhere").status_code == 404


def test_without_a_key_the_example_makes_one(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    client = Client(load("pyramid_app", monkeypatch).app)
    assert "SESSIONWARE_SECRET_KEY is not set" in capsys.readouterr().err
    assert greeting(client.get("/")) == ("stranger", 1)
    assert greeting(client.get("/")) == ("stranger", 2)


@pytest.mark.server
def test_the_ini_under_gunicorn_with_two_workers() -> None:
    """Each request on a new connection, so workers take turns; they share the key."""
    env = clean_env(SESSIONWARE_SECRET_KEY=SECRET)
    with gunicorn_server("--paste", "examples/pyramid.ini", env=env) as server:
        browser = Browser(server.url)
        for visits in range(1, 5):
            reply = browser.get("/")
            assert reply.status == 200, reply
            assert f"Hello, stranger. Visits: {visits}." in reply.body
        token = token_of(reply.body)
        reply = browser.post("/login", {"username": "gus", "csrf_token": token})
        assert reply.status == 303, reply
        assert "Welcome, gus." in browser.get("/").body
        assert list(browser.cookies) == ["demo_session"]
