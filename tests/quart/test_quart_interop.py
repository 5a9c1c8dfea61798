"""One login across Flask and Quart: the same cookie, whichever side writes it.

A Flask app on sessionware (``sessionware.flask.init_app``), a Flask app on Flask's own
session interface, and a Quart app on Quart's own, each with the same secret key as a
Quart app on sessionware: a login made on one side is the login the other side sees,
and a logout on one side ends it on the other.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
import pytest
from quart import Quart

import sessionware.flask
from sessionware.quart import init_app

from ._apps import counter_app

pytestmark = pytest.mark.anyio

SECRET = "one-secret-for-flask-and-quart-long-enough"


def flask_app(install: Callable[[flask.Flask], Any] | None) -> flask.Flask:
    app = flask.Flask(__name__)
    app.secret_key = SECRET
    app.config["TESTING"] = True
    if install is not None:
        install(app)

    @app.post("/login")
    def login() -> str:
        flask.session["user"] = flask.request.form["user"]
        return "in"

    @app.get("/read")
    def read() -> dict[str, Any]:
        return dict(flask.session)

    @app.post("/logout")
    def logout() -> str:
        flask.session.clear()
        return "out"

    return app


FLASK_SIDES = [
    pytest.param(sessionware.flask.init_app, id="flask-on-sessionware"),
    pytest.param(None, id="flask-own-sessions"),
]


def quart_app(*, ours: bool = True) -> Quart:
    app = counter_app()
    app.secret_key = SECRET
    if ours:
        init_app(app)
    return app


def cookie_of(set_cookie: list[str]) -> str:
    [header] = [value for value in set_cookie if value.startswith("session=")]
    return header.split(";", 1)[0].split("=", 1)[1]


@pytest.mark.parametrize("install", FLASK_SIDES)
async def test_a_login_on_flask_is_a_login_on_quart(
    install: Callable[[flask.Flask], Any] | None,
) -> None:
    flask_client = flask_app(install).test_client()
    login = flask_client.post("/login", data={"user": "ada"})
    quart_client = quart_app().test_client()
    quart_client.set_cookie("localhost", "session", cookie_of(login.headers.getlist("Set-Cookie")))
    assert await (await quart_client.get("/read")).get_json() == {"user": "ada"}
    # Quart's change goes back to Flask in the same cookie.
    counted = await quart_client.get("/count")
    flask_client.set_cookie("session", cookie_of(counted.headers.getlist("Set-Cookie")))
    assert flask_client.get("/read").get_json() == {"n": 1, "user": "ada"}


@pytest.mark.parametrize("install", FLASK_SIDES)
async def test_a_login_on_quart_is_a_login_on_flask(
    install: Callable[[flask.Flask], Any] | None,
) -> None:
    quart_client = quart_app().test_client()
    login = await quart_client.post("/login", form={"user": "grace"})
    flask_client = flask_app(install).test_client()
    flask_client.set_cookie("session", cookie_of(login.headers.getlist("Set-Cookie")))
    assert flask_client.get("/read").get_json() == {"user": "grace"}
    # A logout on Flask deletes the shared cookie.
    logout = flask_client.post("/logout")
    assert cookie_of(logout.headers.getlist("Set-Cookie")) == ""


@pytest.mark.parametrize("writer_is_ours", [True, False], ids=["ours-writes", "quarts-writes"])
async def test_quarts_own_interface_and_ours_read_each_other(writer_is_ours: bool) -> None:
    writer = quart_app(ours=writer_is_ours).test_client()
    reader = quart_app(ours=not writer_is_ours).test_client()
    login = await writer.post("/login", form={"user": "hedy"})
    reader.set_cookie("localhost", "session", cookie_of(login.headers.getlist("Set-Cookie")))
    assert await (await reader.get("/read")).get_json() == {"user": "hedy"}


async def test_a_cookie_signed_with_another_key_is_a_fresh_session() -> None:
    other = flask.Flask(__name__)
    other.secret_key = "another-secret-entirely-long-enough-too!"
    sessionware.flask.init_app(other)

    @other.post("/login")
    def login() -> str:
        flask.session["user"] = "mallory"
        return "in"

    forged = other.test_client().post("/login")
    quart_client = quart_app().test_client()
    quart_client.set_cookie("localhost", "session", cookie_of(forged.headers.getlist("Set-Cookie")))
    assert await (await quart_client.get("/read")).get_json() == {}
