"""The Bottle and Falcon examples under a real waitress, over real HTTP.

Each is the counter/login/logout of the plain example; the cookie it sets is the one a
plain sessionware app (and Flask) reads with the same secret key.
"""

from __future__ import annotations

import re

import pytest

from sessionware import SecureCookieSessionInterface, SessionConfig
from tests._servers import BIN, Browser, Server, clean_env
from tests.conftest import tampered

pytestmark = pytest.mark.server

SECRET = "a-bottle-falcon-secret-that-is-long-enough"
PAGE = re.compile(r"Hello, (?P<name>[^.]+)\. Visits: (?P<visits>\d+)\.")


def waitress(module: str) -> Server:
    return Server(
        [str(BIN / "waitress-serve"), "--listen=127.0.0.1:0", "--threads=4", f"{module}:app"],
        r"Serving on http://127\.0\.0\.1:(?P<port>\d+)",
        env=clean_env(SESSIONWARE_SECRET_KEY=SECRET),
    )


def page(browser: Browser) -> tuple[str, int]:
    reply = browser.get("/")
    assert reply.status == 200, reply
    match = PAGE.search(reply.body)
    assert match, reply.body
    return match["name"], int(match["visits"])


def plain_read(cookie: str) -> dict[str, object]:
    """What a plain sessionware app with the same secret reads from the cookie."""
    config = SessionConfig(secret_key=SECRET)
    session = SecureCookieSessionInterface().open_session(
        config, {"HTTP_COOKIE": f"session={cookie}"}
    )
    assert session is not None
    assert not session.new
    return dict(session)


@pytest.mark.parametrize("module", ["examples.bottle_app", "examples.falcon_app"])
def test_counter_login_and_logout_over_http(module: str) -> None:
    with waitress(module) as server:
        browser = Browser(server.url)
        assert page(browser) == ("stranger", 1)
        assert page(browser) == ("stranger", 2)
        before = browser.cookies["session"]

        reply = browser.post("/login", {"username": "  <zoë>  "})
        assert reply.status == 303, reply
        assert browser.cookies["session"] != before
        assert page(browser) == ("&lt;zoë&gt;", 3)
        assert plain_read(browser.cookies["session"]) == {"visits": 3, "user": "<zoë>"}

        # A tampered cookie is a fresh session, never an error page.
        stolen = browser.cookies["session"]
        browser.cookies["session"] = tampered(stolen)
        assert page(browser) == ("stranger", 1)
        browser.cookies["session"] = stolen

        reply = browser.post("/logout")
        assert reply.status == 303, reply
        assert "session" not in browser.cookies
        assert page(browser) == ("stranger", 1)
    # The refusal is logged (on stderr: the app configures no logging), never the cookie.
    assert "Refused the 'session' session cookie" in server.output
    assert stolen[:-3] not in server.output
