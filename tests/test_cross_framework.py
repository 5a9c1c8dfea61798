"""examples/cross_framework.py under real gunicorn: log in on one app, out on another.

Flask, Django, Pyramid and a plain app, every pair of them.

Two worker processes, a new connection per request: consecutive requests of one
browser reach different processes, which agree because they share the secret key.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator

import pytest

from tests._servers import Browser, Server, clean_env, gunicorn_server

pytestmark = pytest.mark.server

SECRET = "a-cross-framework-secret-long-enough-for-hmac"
#: Each app's mount point under the dispatcher.
ROOTS = {"plain": "", "flask": "/flask", "pyramid": "/pyramid", "django": "/django"}
#: The CSRF token fields of Pyramid's and Django's forms.
TOKEN = re.compile(r'name="(?P<field>csrf_token|csrfmiddlewaretoken)" value="(?P<token>\w+)"')


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    env = clean_env(SESSIONWARE_SECRET_KEY=SECRET)
    with gunicorn_server("examples.cross_framework:app", env=env) as server:
        yield server


def whoami(browser: Browser, app: str) -> str | None:
    reply = browser.get(f"{ROOTS[app]}/whoami")
    assert reply.status == 200, reply
    answer = json.loads(reply.body)
    assert answer["app"] == app
    user: str | None = answer["user"]
    return user


def form_for(browser: Browser, app: str) -> dict[str, str]:
    """What the app's own page posts besides the user name: Pyramid's or Django's CSRF token."""
    reply = browser.get(f"{ROOTS[app]}/")
    assert reply.status == 200, reply
    match = TOKEN.search(reply.body)
    assert (match is not None) == (app in ("pyramid", "django")), reply.body
    return {match["field"]: match["token"]} if match else {}


def post(browser: Browser, app: str, action: str, **form: str) -> None:
    reply = browser.post(f"{ROOTS[app]}/{action}", {**form_for(browser, app), **form})
    assert reply.status == 303, reply
    # One session cookie, saved once (Django may add its csrftoken cookie).
    cookies = [value for value in reply.header_values("Set-Cookie") if value.startswith("session=")]
    assert len(cookies) == 1


@pytest.mark.parametrize(
    ("login_on", "logout_on"),
    [pytest.param(a, b, id=f"in-{a}-out-{b}") for a, b in itertools.product(ROOTS, ROOTS)],
)
def test_one_login_and_one_logout_for_every_app(
    server: Server, login_on: str, logout_on: str
) -> None:
    browser = Browser(server.url)
    assert [whoami(browser, app) for app in ROOTS] == [None] * len(ROOTS)
    post(browser, login_on, "login", username=f"user-of-{login_on}")
    assert [whoami(browser, app) for app in ROOTS] == [f"user-of-{login_on}"] * len(ROOTS)
    post(browser, logout_on, "logout")
    assert "session" not in browser.cookies
    assert [whoami(browser, app) for app in ROOTS] == [None] * len(ROOTS)


@pytest.mark.parametrize(("app", "refusal"), [("pyramid", 400), ("django", 403)])
def test_a_login_without_the_csrf_token_is_refused(server: Server, app: str, refusal: int) -> None:
    browser = Browser(server.url)
    browser.get(f"{ROOTS[app]}/")
    reply = browser.post(f"{ROOTS[app]}/login", {"username": "mallory"})
    assert reply.status == refusal
    assert [whoami(browser, app) for app in ROOTS] == [None] * len(ROOTS)


def test_another_browser_is_not_logged_in(server: Server) -> None:
    alice, bob = Browser(server.url), Browser(server.url)
    post(alice, "flask", "login", username="alice")
    assert whoami(bob, "pyramid") is None
    assert whoami(alice, "pyramid") == "alice"
