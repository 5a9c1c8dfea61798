"""``init_app`` reads each session setting where Flask's own interface reads it.

Flask signs with ``app.secret_key`` and times cookies with
``app.permanent_session_lifetime``, attributes that an app class may set directly
(Flask-WTF's test apps do: ``class Flask(flask.Flask): secret_key = ...``), which
shadows ``app.config``. Whatever works with Flask's sessions must work with ours.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import flask
import pytest
from flask.sessions import SecureCookieSessionInterface as FlaskCookieInterface

from sessionware import SecureCookieSessionInterface, SessionConfig
from sessionware.flask import init_app
from sessionware.testing import read_session

from .conftest import FakeClock

SECRET = "flask-attribute-secret-that-is-long-enough!"


class KeyedFlask(flask.Flask):
    """An app class whose secret key is a class attribute, as in Flask-WTF's tests."""

    secret_key = SECRET


class ShortLivedFlask(flask.Flask):
    """An app class whose permanent session lifetime is a class attribute."""

    secret_key = SECRET
    permanent_session_lifetime = timedelta(seconds=120)


def counter_app(app: flask.Flask) -> flask.Flask:
    app.config["TESTING"] = True

    @app.get("/count")
    def count() -> str:
        flask.session.permanent = True
        flask.session["n"] = flask.session.get("n", 0) + 1
        return str(flask.session["n"])

    return app


@pytest.mark.parametrize("sessions", ["flask", "sessionware"])
def test_a_class_attribute_secret_key_signs_the_session(sessions: str) -> None:
    app = counter_app(KeyedFlask(__name__))
    assert app.config["SECRET_KEY"] is None
    if sessions == "sessionware":
        init_app(app)
    client = app.test_client()
    assert client.get("/count").text == "1"
    assert client.get("/count").text == "2"
    with client.session_transaction() as session:
        assert session["n"] == 2
        session["n"] = 10
    response = client.get("/count")
    assert response.text == "11"
    # Signed with the class attribute's key: the cookie Flask's own interface writes.
    assert read_session(response, SessionConfig(secret_key=SECRET)) == {"_permanent": True, "n": 11}


def test_a_class_attribute_secret_key_is_what_the_interface_reports() -> None:
    app = KeyedFlask(__name__)
    bridge = init_app(app)
    assert bridge.config.secret_key == SECRET
    # An instance assignment still goes to app.config, as in Flask.
    app.config["SECRET_KEY"] = "ignored-because-the-class-attribute-shadows-it"
    assert bridge.config.secret_key == SECRET == app.secret_key


@pytest.mark.parametrize("sessions", ["flask", "sessionware"])
def test_a_class_attribute_lifetime_times_the_permanent_cookie(sessions: str) -> None:
    app = counter_app(ShortLivedFlask(__name__))
    assert app.config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=31)
    clock = FakeClock()
    if sessions == "sessionware":
        init_app(app, interface=SecureCookieSessionInterface(clock=clock))
    client = app.test_client()
    response = client.get("/count")
    cookie = response.headers["Set-Cookie"]
    stored = client.get_cookie("session")
    assert stored is not None
    assert stored.expires is not None
    if sessions == "sessionware":
        assert bridge_lifetime(app) == timedelta(seconds=120)
        assert stored.expires.timestamp() == pytest.approx(clock() + 120, abs=1)
        # Two minutes later the cookie the browser still holds is too old: a fresh session.
        clock.advance(121)
        client.set_cookie("session", cookie.split(";", 1)[0].split("=", 1)[1])
        assert client.get("/count").text == "1"


def bridge_lifetime(app: flask.Flask) -> Any:
    return app.extensions["sessionware"].config.permanent_lifetime


def test_the_getters_agree_with_flasks_own_interface() -> None:
    """Every cookie setting the bridge reports is the one Flask's interface would use."""
    app = ShortLivedFlask(__name__)
    app.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.test",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_PARTITIONED=True,
    )
    flask_interface = FlaskCookieInterface()
    bridge = init_app(app)
    for getter in ("name", "domain", "path", "httponly", "secure", "samesite", "partitioned"):
        method = f"get_cookie_{getter}"
        assert getattr(bridge, method)(app) == getattr(flask_interface, method)(app), getter
    assert bridge.config.permanent_lifetime == app.permanent_session_lifetime


def test_a_bad_attribute_fails_at_init_app_naming_the_attribute() -> None:
    class NegativeLifetime(flask.Flask):
        secret_key = SECRET
        permanent_session_lifetime = timedelta(seconds=-1)

    with pytest.raises(ValueError, match=r"app\.permanent_session_lifetime") as caught:
        init_app(NegativeLifetime(__name__))
    assert SECRET not in str(caught.value)
