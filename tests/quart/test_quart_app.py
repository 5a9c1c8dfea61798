"""sessionware.quart.init_app: Quart's ``session`` is sessionware's, set up from the app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any, cast

import pytest
from quart import Quart, Response, session, stream_with_context

from sessionware import SecureCookieSessionInterface, SessionConfig, SessionUnavailable
from sessionware.asgi import SessionMiddleware
from sessionware.quart import QuartSessionInterface, init_app
from sessionware.testing import read_session
from tests.conftest import FakeClock

from ._apps import counter_app

pytestmark = pytest.mark.anyio

SECRET = "quart-secret-that-is-long-enough-for-hmac!"


def keyed_app() -> Quart:
    app = counter_app()
    app.secret_key = SECRET
    init_app(app)
    return app


class KeyedQuart(Quart):
    """An app class whose key and lifetime are class attributes, as Flask apps may have."""

    secret_key = SECRET
    permanent_session_lifetime = timedelta(seconds=120)


async def text(response: Response) -> str:
    return await response.get_data(as_text=True)


async def test_the_session_survives_requests() -> None:
    client = keyed_app().test_client()
    assert await text(await client.get("/count")) == "1"
    response = await client.get("/count")
    assert await text(response) == "2"
    assert response.headers["Vary"] == "Cookie"
    assert read_session(response, SessionConfig(secret_key=SECRET)) == {"n": 2}


async def test_a_request_that_never_touches_the_session_sends_nothing() -> None:
    client = keyed_app().test_client()
    await client.get("/count")
    response = await client.get("/untouched")
    assert "Set-Cookie" not in response.headers
    assert "Vary" not in response.headers


async def test_logout_deletes_the_cookie() -> None:
    client = keyed_app().test_client()
    await client.post("/login", form={"user": "ada"})
    response = await client.post("/logout")
    assert read_session(response, SessionConfig(secret_key=SECRET)) == {}
    assert await (await client.get("/read")).get_json() == {}


async def test_class_attributes_sign_and_time_the_cookie() -> None:
    app = counter_app(KeyedQuart(__name__))
    assert app.config["SECRET_KEY"] is None
    clock = FakeClock()
    bridge = init_app(app, interface=SecureCookieSessionInterface(clock=clock))
    assert bridge.config.secret_key == SECRET
    assert bridge.config.permanent_lifetime == timedelta(seconds=120)

    @app.get("/remember")
    async def remember() -> str:
        session.permanent = True
        session["n"] = 1
        return "ok"

    client = app.test_client()
    response = await client.get("/remember")
    [cookie] = response.headers.getlist("Set-Cookie")
    assert "Max-Age=120" in cookie
    signed_then = SecureCookieSessionInterface(clock=clock)
    config = SessionConfig(secret_key=SECRET)
    assert read_session(response, config, interface=signed_then) == {"_permanent": True, "n": 1}
    # Two minutes later the cookie the browser still holds is too old: a fresh session.
    clock.advance(121)
    assert await text(await client.get("/count")) == "1"


async def test_app_config_is_read_on_each_request() -> None:
    app = keyed_app()
    client = app.test_client()
    first = await client.get("/count")
    assert first.headers["Set-Cookie"].startswith("session=")
    app.config.update(SESSION_COOKIE_NAME="sid", SESSION_COOKIE_SAMESITE="Lax")
    second = await client.get("/count")
    assert second.headers["Set-Cookie"].startswith("sid=")
    assert "SameSite=Lax" in second.headers["Set-Cookie"]


async def test_overrides_win_over_app_config() -> None:
    app = counter_app()
    app.secret_key = SECRET
    app.config["SESSION_COOKIE_NAME"] = "from-config"
    init_app(app, cookie_name="sid", cookie_secure=True)
    response = await app.test_client().get("/count")
    assert response.headers["Set-Cookie"].startswith("sid=")
    assert "Secure" in response.headers["Set-Cookie"]


def test_a_bad_setting_fails_at_init_app_naming_the_quart_key() -> None:
    app = counter_app()
    app.secret_key = SECRET
    app.config["MAX_COOKIE_SIZE"] = 10
    with pytest.raises(ValueError, match=r"MAX_COOKIE_SIZE"):
        init_app(app)
    with pytest.raises(TypeError, match="cookie_nmae"):
        init_app(app, cookie_nmae="x")


def test_the_getters_agree_with_quarts_own_interface() -> None:
    from quart.sessions import SecureCookieSessionInterface as QuartCookieInterface

    app = KeyedQuart(__name__)
    app.config.update(
        SESSION_COOKIE_NAME="sid",
        SESSION_COOKIE_DOMAIN="example.test",
        SESSION_COOKIE_PATH="/app",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_PARTITIONED=True,
    )
    quarts = QuartCookieInterface()
    bridge = init_app(app)
    assert cast(Any, app).session_interface is bridge is app.extensions["sessionware"]
    for getter in ("name", "domain", "path", "httponly", "secure", "samesite", "partitioned"):
        method = f"get_cookie_{getter}"
        assert getattr(bridge, method)(app) == getattr(quarts, method)(app), getter


async def test_without_a_secret_key_reads_are_empty_and_writes_say_how_to_set_one() -> None:
    app = counter_app()
    init_app(app)
    client = app.test_client()
    assert await (await client.get("/read")).get_json() == {}
    caught: list[BaseException] = []

    @app.errorhandler(SessionUnavailable)
    async def unavailable(error: SessionUnavailable) -> tuple[str, int]:
        caught.append(error)
        return "no key", 500

    response = await client.get("/count")
    assert response.status_code == 500
    [error] = caught
    assert str(error).startswith("The session is unavailable because no secret key was set")
    assert "app.secret_key" in str(error)


async def test_session_transaction_reads_and_writes_the_clients_session() -> None:
    client = keyed_app().test_client()
    await client.get("/count")
    async with client.session_transaction() as transaction:
        assert dict(transaction) == {"n": 1}
        transaction["n"] = 10
        transaction["user"] = "ada"
    assert await text(await client.get("/count")) == "11"
    assert await (await client.get("/read")).get_json() == {"n": 11, "user": "ada"}


async def test_session_transaction_on_a_new_client_starts_the_session() -> None:
    client = keyed_app().test_client()
    async with client.session_transaction() as transaction:
        transaction["n"] = 41
    assert await text(await client.get("/count")) == "42"


async def test_session_transaction_without_a_key_fails_as_with_quarts_sessions() -> None:
    app = counter_app()
    init_app(app)
    with pytest.raises(RuntimeError, match="secret_key"):
        async with app.test_client().session_transaction():
            pass


async def test_the_views_vary_header_is_merged_not_repeated() -> None:
    app = keyed_app()

    @app.get("/vary")
    async def vary() -> Response:
        session["n"] = 1
        response = Response("ok")
        response.vary.add("Accept-Encoding")
        return response

    response = await app.test_client().get("/vary")
    assert response.headers.getlist("Vary") == ["Accept-Encoding, Cookie"]


async def test_a_change_made_while_a_body_streams_is_lost_and_logged(
    session_log: pytest.LogCaptureFixture,
) -> None:
    app = keyed_app()

    @app.get("/stream")
    async def stream() -> Any:
        session["before"] = True

        @stream_with_context
        async def body() -> AsyncIterator[str]:
            yield "one,"
            session["late"] = True
            yield "two"

        return body()

    client = app.test_client()
    response = await client.get("/stream")
    assert await text(response) == "one,two"
    assert "after Quart saved it" in session_log.text
    assert await (await client.get("/read")).get_json() == {"before": True}


async def test_a_websocket_reads_the_session_and_a_change_is_logged_as_lost(
    session_log: pytest.LogCaptureFixture,
) -> None:
    app = keyed_app()

    client = app.test_client()
    await client.get("/count")
    async with client.websocket("/ws") as connection:
        assert await connection.receive() == "1"
    assert "during a websocket" in session_log.text
    assert await (await client.get("/read")).get_json() == {"n": 1}


async def test_behind_the_asgi_middleware_the_session_is_the_middlewares() -> None:
    app = counter_app()
    app.secret_key = "a-key-the-middleware-ignores-because-it-saves-the-session"
    init_app(app)
    # Quart types asgi_app with hypercorn's scope types; the middleware takes any scope.
    cast(Any, app).asgi_app = SessionMiddleware(cast(Any, app.asgi_app), secret_key=SECRET)
    client = app.test_client()
    await client.get("/count")
    response = await client.get("/count")
    assert await text(response) == "2"
    # One cookie, the middleware's, signed with its key.
    [cookie] = response.headers.getlist("Set-Cookie")
    assert read_session(cookie, SessionConfig(secret_key=SECRET)) == {"n": 2}


def test_replacing_a_custom_interface_is_logged(session_log: pytest.LogCaptureFixture) -> None:
    class Custom(QuartSessionInterface):
        pass

    app = counter_app()
    app.secret_key = SECRET
    init_app(app)
    assert "replaces" not in session_log.text
    from quart.sessions import SessionInterface

    cast(Any, app).session_interface = SessionInterface()
    init_app(app)
    assert "replaces the app's session interface, a SessionInterface" in session_log.text
    assert "QuartSessionInterface" in repr(init_app(app))
    assert isinstance(Custom(), QuartSessionInterface)


def test_importing_sessionware_imports_no_quart() -> None:
    import subprocess
    import sys

    code = (
        "import sys, sessionware, sessionware.stores, sessionware.asgi, sessionware.flask; "
        "print(sorted(m for m in ('quart', 'hypercorn') if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


async def test_flash_messages_reach_the_next_request() -> None:
    from quart import flash, get_flashed_messages

    app = keyed_app()

    @app.post("/save")
    async def save() -> str:
        await flash("Saved.", "info")
        return "ok"

    @app.get("/messages")
    async def messages() -> dict[str, Any]:
        return {"messages": get_flashed_messages(with_categories=True)}

    client = app.test_client()
    await client.post("/save")
    assert await (await client.get("/messages")).get_json() == {"messages": [["info", "Saved."]]}
    assert await (await client.get("/messages")).get_json() == {"messages": []}
