"""Flask's ``session`` and the middleware's ``environ["session"]`` are one session."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import flask
import pytest
from werkzeug.test import Client

from sessionware import SessionConfig, SessionMiddleware
from sessionware.flask_bridge import MiddlewareMissing, MiddlewareSessionInterface, init_app

SECRET = "flask-bridge-secret-that-is-long-enough!"


def make_app(**settings: Any) -> tuple[flask.Flask, list[Any]]:
    app = flask.Flask(__name__)
    app.config["TESTING"] = True
    init_app(app, secret_key=SECRET, **settings)
    seen: list[Any] = []

    @app.get("/both")
    def both() -> str:
        plain = flask.request.environ[app.session_interface.environ_key]  # type: ignore[attr-defined]
        seen.append(flask.session._get_current_object() is plain)  # type: ignore[attr-defined]
        flask.session["via_flask"] = 1
        plain["via_environ"] = 2
        seen.append((dict(flask.session), dict(plain)))
        return ""

    @app.get("/read")
    def read() -> str:
        seen.append(dict(flask.session))
        return ""

    @app.get("/flash")
    def flash() -> str:
        flask.flash("saved")
        return ""

    @app.get("/flashes")
    def flashes() -> str:
        return ",".join(str(message) for message in flask.get_flashed_messages())

    @app.get("/permanent")
    def permanent() -> str:
        flask.session.permanent = True
        flask.session["user"] = "pat"
        return ""

    @app.get("/nested")
    def nested() -> str:
        flask.session.setdefault("cart", []).append(len(flask.session["cart"]))
        return ""

    return app, seen


def test_flask_session_is_the_environ_session_in_one_request() -> None:
    app, seen = make_app()
    client = app.test_client()
    response = client.get("/both")
    assert seen[0] is True
    assert seen[1] == ({"via_flask": 1, "via_environ": 2},) * 2
    # Saved once, by the middleware.
    assert len(response.headers.getlist("Set-Cookie")) == 1
    assert response.headers["Vary"] == "Cookie"
    client.get("/read")
    assert seen[-1] == {"via_flask": 1, "via_environ": 2}


def test_flask_views_see_what_a_plain_wsgi_layer_wrote() -> None:
    app, seen = make_app()

    def outer(environ: dict[str, Any], start_response: Any) -> Any:
        environ["session"]["from_wsgi"] = "yes"
        return inner(environ, start_response)

    # Plain WSGI code between the middleware and Flask writes the same session.
    inner = app.wsgi_app.app  # type: ignore[attr-defined]
    app.wsgi_app.app = outer  # type: ignore[attr-defined]
    client = app.test_client()
    client.get("/read")
    assert seen[-1] == {"from_wsgi": "yes"}
    app.wsgi_app.app = inner  # type: ignore[attr-defined]
    client.get("/read")
    assert seen[-1] == {"from_wsgi": "yes"}


def test_flask_features_that_use_the_session_work() -> None:
    app, _ = make_app()
    client = app.test_client()
    client.get("/flash")
    assert client.get("/flashes").text == "saved"
    assert client.get("/flashes").text == ""


def test_permanent_set_through_flask_makes_a_lasting_cookie() -> None:
    app, _ = make_app(permanent_lifetime=3600)
    response = app.test_client().get("/permanent")
    header = response.headers["Set-Cookie"]
    assert "Max-Age=3600" in header
    assert "Expires=" in header


def test_in_place_changes_through_flask_are_saved() -> None:
    app, seen = make_app()
    client = app.test_client()
    client.get("/nested")
    client.get("/nested")
    client.get("/read")
    assert seen[-1] == {"cart": [0, 1]}


def test_a_read_only_request_sends_no_cookie() -> None:
    app, _ = make_app()
    client = app.test_client()
    client.get("/both")
    response = client.get("/read")
    assert "Set-Cookie" not in response.headers
    assert response.headers["Vary"] == "Cookie"


def test_another_environ_key_is_followed() -> None:
    app, seen = make_app(environ_key="sessionware.session")
    app.test_client().get("/both")
    assert seen[0] is True


def test_init_app_takes_a_config_and_keeps_the_flask_object() -> None:
    app = flask.Flask(__name__)
    config = SessionConfig(secret_key=SECRET, cookie_name="app_session")
    middleware = init_app(app, config)
    assert middleware.config is config
    assert app.wsgi_app is middleware
    assert isinstance(app.session_interface, MiddlewareSessionInterface)


def test_without_the_middleware_the_error_says_how_to_fix_it() -> None:
    app = flask.Flask(__name__)
    app.config["TESTING"] = True
    app.session_interface = MiddlewareSessionInterface()

    @app.get("/")
    def index() -> str:
        return str(flask.session.get("x"))

    with pytest.raises(MiddlewareMissing, match=r"SessionMiddleware\(app\.wsgi_app"):
        app.test_client().get("/")


def test_a_wrapped_flask_object_also_works() -> None:
    """Wrapping the Flask object itself (not wsgi_app) works too, for servers given it."""
    app = flask.Flask(__name__)
    app.session_interface = MiddlewareSessionInterface()

    @app.get("/")
    def index() -> str:
        flask.session["n"] = flask.session.get("n", 0) + 1
        return str(flask.session["n"])

    client = Client(SessionMiddleware(app, secret_key=SECRET))
    assert [client.get("/").text for _ in range(3)] == ["1", "2", "3"]


def test_importing_sessionware_imports_neither_flask_nor_paste() -> None:
    code = (
        "import sys, sessionware, sessionware.paste; "
        "print(sorted(m for m in sys.modules if m.startswith(('flask', 'paste.deploy'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
