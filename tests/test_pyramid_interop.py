"""One session for Pyramid, real Flask and plain WSGI apps; with the middleware, with stores."""

from __future__ import annotations

import json
import time
from typing import Any

import flask
import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client, TestResponse

from sessionware import (
    MemoryStore,
    ServerSideSessionInterface,
    SessionMiddleware,
    SessionUnavailable,
    StoreError,
)
from sessionware.cookies._signing import CookieSigner
from sessionware.pyramid import FLASH_KEY, MiddlewareMissing, session_factory
from sessionware.wsgi.middleware import StartResponse, WSGIApp
from tests._pyramid_apps import make_app
from tests.conftest import SECRET


def body(response: TestResponse) -> Any:
    assert response.status_code == 200, response.text
    return json.loads(response.text)


def native_flask() -> flask.Flask:
    """A Flask app with Flask's own session interface and the same secret key."""
    app = flask.Flask(__name__)
    app.config.update(SECRET_KEY=SECRET, SESSION_COOKIE_SAMESITE="Lax")

    @app.get("/read")
    def read() -> dict[str, Any]:
        return {"data": dict(flask.session)}

    @app.get("/login")
    def login() -> str:
        flask.session["user"] = "flo"
        flask.flash("hello from Flask")
        flask.flash("careful", "error")
        return ""

    @app.get("/flashes")
    def flashes() -> list[Any]:
        return [list(pair) for pair in flask.get_flashed_messages(with_categories=True)]

    @app.get("/logout")
    def logout() -> str:
        flask.session.clear()
        return ""

    return app


def plain(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    """A bare WSGI app that shows what ``environ["session"]`` holds."""
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps({"data": dict(environ["session"])}).encode()]


def site(pyramid: WSGIApp) -> Client:
    """Pyramid at /, Flask (its own sessions) at /flask, plain sessionware at /plain."""
    mounts: dict[str, WSGIApp] = {
        "/flask": native_flask(),
        "/plain": SessionMiddleware(plain, secret_key=SECRET),
    }
    return Client(DispatcherMiddleware(pyramid, mounts))


def test_flask_and_plain_apps_read_what_pyramid_wrote() -> None:
    browser = site(make_app(session_factory(secret_key=SECRET)))
    browser.get("/set?user=pyra")
    body(browser.get("/flash?msg=hello from Pyramid"))
    body(browser.get("/flash?msg=oops&queue=error"))
    assert body(browser.get("/flask/read"))["data"]["user"] == "pyra"
    assert body(browser.get("/plain/"))["data"]["user"] == "pyra"
    # Pyramid's queues are Flask's categories; the default queue is Flask's "message".
    assert body(browser.get("/flask/flashes")) == [
        ["message", "hello from Pyramid"],
        ["error", "oops"],
    ]
    assert FLASH_KEY not in body(browser.get("/read"))["data"]


def test_pyramid_reads_what_flask_wrote_and_sees_its_logout() -> None:
    browser = site(make_app(session_factory(secret_key=SECRET)))
    browser.get("/flask/login")
    assert body(browser.get("/read"))["data"]["user"] == "flo"
    assert body(browser.get("/peek?queue=error")) == ["careful"]
    assert body(browser.get("/pop")) == ["hello from Flask"]
    assert body(browser.get("/flask/flashes")) == [["error", "careful"]]
    browser.get("/flask/logout")
    assert body(browser.get("/read"))["data"] == {}


def test_behind_the_middleware_the_session_is_the_middlewares() -> None:
    inner = make_app(session_factory(from_middleware=True))
    browser = Client(SessionMiddleware(inner, secret_key=SECRET))
    assert body(browser.get("/environ")) is True
    response = browser.get("/count")
    assert body(response)["visits"] == 1
    # Saved once, by the middleware.
    assert len(response.headers.getlist("Set-Cookie")) == 1
    assert body(browser.get("/count"))["visits"] == 2


def test_a_factory_with_its_own_key_still_defers_to_the_middleware() -> None:
    inner = make_app(session_factory(secret_key="another-secret-that-is-long-enough-too"))
    browser = Client(SessionMiddleware(inner, secret_key=SECRET))
    response = browser.get("/count")
    assert len(response.headers.getlist("Set-Cookie")) == 1
    assert body(browser.get("/environ")) is True
    # The middleware's key signed it: a plain app with that key reads it.
    outer = Client(SessionMiddleware(plain, secret_key=SECRET))
    cookie = browser.get_cookie("session")
    assert cookie is not None
    outer.set_cookie("session", cookie.value)
    assert body(outer.get("/"))["data"]["visits"] == 1


def test_from_middleware_without_the_middleware_says_how_to_fix_it() -> None:
    browser = Client(make_app(session_factory(from_middleware=True)))
    with pytest.raises(MiddlewareMissing, match=r"Wrap the WSGI app in\s+SessionMiddleware"):
        browser.get("/count")


def test_a_middleware_without_a_key_gives_pyramid_a_read_only_session() -> None:
    inner = make_app(session_factory(from_middleware=True))
    browser = Client(SessionMiddleware(inner))
    assert body(browser.get("/read"))["data"] == {}
    with pytest.raises(SessionUnavailable):
        browser.get("/count")


def server_side_site(store: MemoryStore) -> tuple[Client, ServerSideSessionInterface]:
    interface = ServerSideSessionInterface(store)
    pyramid = make_app(session_factory(secret_key=SECRET, interface=interface))
    mounts: dict[str, WSGIApp] = {
        "/plain": SessionMiddleware(plain, secret_key=SECRET, interface=interface)
    }
    return Client(DispatcherMiddleware(pyramid, mounts)), interface


def stored_records(store: MemoryStore) -> list[dict[str, Any]]:
    records = [store.get(sid) for sid in list(store._records)]
    return [json.loads(record.data) for record in records if record is not None]


def test_server_side_sessions_keep_pyramids_data_in_the_store() -> None:
    store = MemoryStore()
    browser, _ = server_side_site(store)
    browser.get("/set?user=pyra")
    browser.get("/flash?msg=stored")
    assert body(browser.get("/plain/"))["data"]["user"] == "pyra"
    [record] = stored_records(store)
    assert record["user"] == "pyra"
    assert record[FLASH_KEY] == [["message", "stored"]]
    cookie = browser.get_cookie("session")
    assert cookie is not None
    assert "pyra" not in cookie.value


def test_server_side_regenerate_and_invalidate_end_the_old_id() -> None:
    store = MemoryStore()
    browser, _ = server_side_site(store)
    browser.get("/set?user=pyra")
    before = browser.get_cookie("session")
    assert before is not None
    browser.get("/regenerate")
    after = browser.get_cookie("session")
    assert after is not None
    assert after.value != before.value
    assert len(stored_records(store)) == 1
    # The pre-login ID no longer opens the session.
    thief = Client(
        make_app(session_factory(secret_key=SECRET, interface=ServerSideSessionInterface(store)))
    )
    thief.set_cookie("session", before.value)
    assert body(thief.get("/read"))["data"] == {}
    browser.get("/invalidate?after=fresh")
    [record] = stored_records(store)
    assert record == {"after": "fresh", "_created": record["_created"]}
    thief.set_cookie("session", after.value)
    assert body(thief.get("/read"))["data"] == {}


class DownStore(MemoryStore):
    """A store whose server is down (fault injection): every read fails."""

    def get(self, sid: str) -> Any:
        raise StoreError("The session store is down (test).")


def test_a_store_outage_gives_pyramid_a_read_only_session() -> None:
    store = DownStore()
    interface = ServerSideSessionInterface(store, on_store_error="null")
    browser = Client(make_app(session_factory(secret_key=SECRET, interface=interface)))
    browser.set_cookie("session", signed_id(interface))
    response = browser.get("/read")
    assert body(response)["data"] == {}
    assert response.headers.getlist("Set-Cookie") == []
    with pytest.raises(SessionUnavailable, match="store could not be reached"):
        browser.get("/count")


def signed_id(interface: ServerSideSessionInterface) -> str:
    """A validly signed session ID, so that the interface asks the store."""
    signer = CookieSigner(SECRET, salt=interface.salt, digest_method=interface.digest_method)
    return signer.dumps(interface.new_sid().encode(), int(time.time()))


def test_behind_the_middleware_with_a_store() -> None:
    store = MemoryStore()
    interface = ServerSideSessionInterface(store)
    inner = make_app(session_factory(from_middleware=True))
    browser = Client(SessionMiddleware(inner, secret_key=SECRET, interface=interface))
    browser.get("/set?user=pyra")
    browser.get("/flash?msg=kept")
    assert body(browser.get("/pop")) == ["kept"]
    [record] = stored_records(store)
    assert record["user"] == "pyra"
    assert FLASH_KEY not in record
    browser.get("/invalidate")
    assert stored_records(store) == []
    assert browser.get_cookie("session") is None
