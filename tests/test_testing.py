"""sessionware.testing: signed cookies for test clients, read back, and transactions.

Every test sends the cookie through a real test client (werkzeug's Client, WebTest's
TestApp, which checks WSGI conformance itself) to a WSGI app behind the middleware.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable
from http.cookies import SimpleCookie
from typing import Any

import pytest
from werkzeug.test import Client

from sessionware import (
    MemoryStore,
    SecureCookieSessionInterface,
    ServerSideSessionInterface,
    SessionConfig,
    SessionInterface,
    SessionMiddleware,
)
from sessionware.testing import read_session, session_cookie, session_transaction
from sessionware.wsgi.middleware import StartResponse

from .conftest import SECRET, FakeClock

with warnings.catch_warnings():
    # WebOb 1.8 imports the cgi module, deprecated since Python 3.11.
    warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
    import webtest

CONFIG = SessionConfig(secret_key=SECRET, cookie_name="sid")

Interfaces = Callable[[FakeClock], SessionInterface]
INTERFACES = [
    pytest.param(lambda clock: SecureCookieSessionInterface(clock=clock), id="cookie"),
    pytest.param(
        lambda clock: ServerSideSessionInterface(MemoryStore(clock=clock), clock=clock),
        id="server-side",
    ),
]


def echo_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Shows the session as JSON; ``?visit`` counts a visit in it."""
    session = environ["session"]
    if "visit" in environ.get("QUERY_STRING", ""):
        session["visits"] = session.get("visits", 0) + 1
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(dict(session), sort_keys=True).encode()]


def wrapped(interface: SessionInterface, config: SessionConfig = CONFIG) -> Any:
    return SessionMiddleware(echo_app, config, interface=interface)


@pytest.mark.parametrize("make_interface", INTERFACES)
def test_a_signed_cookie_logs_a_werkzeug_client_in(
    make_interface: Interfaces, clock: FakeClock
) -> None:
    interface = make_interface(clock)
    client = Client(wrapped(interface))
    client.set_cookie("sid", session_cookie({"user_id": 7}, CONFIG, interface=interface))
    assert client.get("/").json == {"user_id": 7}


@pytest.mark.parametrize("make_interface", INTERFACES)
def test_a_signed_cookie_logs_a_webtest_app_in(
    make_interface: Interfaces, clock: FakeClock
) -> None:
    interface = make_interface(clock)
    app = webtest.TestApp(wrapped(interface))
    app.set_cookie("sid", session_cookie({"user_id": 8}, CONFIG, interface=interface))
    assert app.get("/").json == {"user_id": 8}
    # As a raw Cookie header too (what requests' cookies= and Django's client send).
    raw = webtest.TestApp(wrapped(interface))
    header = "sid=" + session_cookie({"user_id": 9}, CONFIG, interface=interface)
    assert raw.get("/", headers={"Cookie": header}).json == {"user_id": 9}


def test_session_cookie_refuses_what_cannot_be_a_cookie() -> None:
    with pytest.raises(ValueError, match="no secret_key"):
        session_cookie({"a": 1}, SessionConfig())
    with pytest.raises(ValueError, match="empty"):
        session_cookie({}, CONFIG)


@pytest.mark.parametrize("make_interface", INTERFACES)
def test_read_session_verifies_what_a_response_set(
    make_interface: Interfaces, clock: FakeClock
) -> None:
    interface = make_interface(clock)
    client = Client(wrapped(interface))
    response = client.get("/?visit")
    assert read_session(response, CONFIG, interface=interface) == {"visits": 1}
    test_app = webtest.TestApp(wrapped(interface))
    webtest_response = test_app.get("/?visit")
    assert read_session(webtest_response, CONFIG, interface=interface) == {"visits": 1}
    header = response.headers["Set-Cookie"]
    assert read_session(header, CONFIG, interface=interface) == {"visits": 1}
    assert read_session([header], CONFIG, interface=interface) == {"visits": 1}
    # A read-only request sets no cookie.
    assert read_session(client.get("/"), CONFIG, interface=interface) is None


def test_read_session_refuses_a_cookie_of_another_key() -> None:
    response = Client(wrapped(SecureCookieSessionInterface())).get("/?visit")
    other = SessionConfig(secret_key="another-secret-key-that-is-long-enough", cookie_name="sid")
    with pytest.raises(ValueError, match="does not verify"):
        read_session(response, other)
    with pytest.raises(TypeError, match="Set-Cookie"):
        read_session(42, CONFIG)


def test_read_session_reports_a_deleted_cookie_as_empty() -> None:
    assert read_session(["sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"], CONFIG) == {}


@pytest.mark.parametrize("make_interface", INTERFACES)
def test_session_transaction_with_a_werkzeug_client(
    make_interface: Interfaces, clock: FakeClock
) -> None:
    interface = make_interface(clock)
    client = Client(SessionMiddleware(echo_app, CONFIG, interface=interface))
    with session_transaction(client) as session:
        assert dict(session) == {}
        session["user_id"] = 5
    assert client.get("/?visit").json == {"user_id": 5, "visits": 1}
    with session_transaction(client) as session:
        assert dict(session) == {"user_id": 5, "visits": 1}
        session.invalidate()
    assert client.get_cookie("sid") is None
    assert client.get("/").json == {}


@pytest.mark.parametrize("make_interface", INTERFACES)
def test_session_transaction_with_a_webtest_app(
    make_interface: Interfaces, clock: FakeClock
) -> None:
    interface = make_interface(clock)
    app = webtest.TestApp(SessionMiddleware(echo_app, CONFIG, interface=interface))
    with session_transaction(app) as session:
        session["user_id"] = 6
    assert app.get("/?visit").json == {"user_id": 6, "visits": 1}
    with session_transaction(app) as session:
        assert session["visits"] == 1
        session.invalidate()
    assert "sid" not in app.cookies
    assert app.get("/").json == {}


def test_session_transaction_finds_the_middleware_behind_other_layers() -> None:
    middleware = SessionMiddleware(echo_app, CONFIG)

    class Outer:
        def __init__(self, app: Any) -> None:
            self.app = app

        def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
            return self.app(environ, start_response)

    client = Client(Outer(middleware))
    with session_transaction(client) as session:
        session["deep"] = True
    assert client.get("/").json == {"deep": True}


def test_session_transaction_without_middleware_needs_a_config() -> None:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        return [b""]

    with pytest.raises(TypeError, match="config="), session_transaction(Client(app)):
        pass  # pragma: no cover
    # Given the app's config, the transaction writes the cookie the app would.
    client = Client(SessionMiddleware(echo_app, CONFIG))
    bare = Client(app)
    with session_transaction(bare, CONFIG) as session:
        session["from"] = "bare"
    client.set_cookie("sid", bare.get_cookie("sid").value)  # type: ignore[union-attr]
    assert client.get("/").json == {"from": "bare"}


def test_session_transaction_without_a_secret_key_is_read_only() -> None:
    client = Client(SessionMiddleware(echo_app, cookie_name="sid"))
    refused = pytest.raises(RuntimeError, match="session is unavailable")
    with refused, session_transaction(client) as session:
        session["x"] = 1
    with session_transaction(client) as session:
        assert dict(session) == {}
    assert client.get_cookie("sid") is None


@pytest.mark.server
def test_requests_carries_a_signed_cookie_to_a_real_server() -> None:
    """requests, over real HTTP, to the plain example under waitress."""
    import requests  # type: ignore[import-untyped,unused-ignore]

    from tests._servers import BIN, Server, clean_env

    server = Server(
        [str(BIN / "waitress-serve"), "--listen=127.0.0.1:0", "examples.plain_app:app"],
        r"Serving on http://127\.0\.0\.1:(?P<port>\d+)",
        env=clean_env(SESSIONWARE_SECRET_KEY=SECRET),
    )
    config = SessionConfig(secret_key=SECRET)
    with server:
        cookies = {"session": session_cookie({"user": "erin", "visits": 4}, config)}
        response = requests.get(server.url + "/", cookies=cookies, timeout=30)
    assert "Hello, erin. Visits: 5." in response.text
    assert read_session(response, config) == {"user": "erin", "visits": 5}


def test_read_session_takes_a_simplecookie_as_django_responses_carry() -> None:
    response = Client(wrapped(SecureCookieSessionInterface())).get("/?visit")

    class DjangoLikeResponse:
        """Django's HttpResponse keeps the cookies it sets in an http.cookies.SimpleCookie."""

        def __init__(self, header: str) -> None:
            self.cookies = SimpleCookie()
            self.cookies.load(header)

    django_like = DjangoLikeResponse(response.headers["Set-Cookie"])
    assert read_session(django_like, CONFIG) == {"visits": 1}


def test_session_transaction_over_a_flask_app_on_init_app() -> None:
    """WebTest drives a Flask app on init_app: the transaction uses its app.config."""
    import flask

    from sessionware.flask.bridge import init_app

    app = flask.Flask(__name__)
    app.config.update(SECRET_KEY=SECRET, SESSION_COOKIE_NAME="flask_sid")
    init_app(app)

    @app.get("/")
    def index() -> dict[str, Any]:
        return dict(flask.session)

    test_app = webtest.TestApp(app)
    with session_transaction(test_app) as session:
        session["user_id"] = 11
    assert "flask_sid" in test_app.cookies
    assert test_app.get("/").json == {"user_id": 11}
