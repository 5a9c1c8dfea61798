"""sessionware's Litestar middleware through Litestar's own test client."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar, Request, get, post
from litestar.exceptions import LitestarException
from litestar.testing import TestClient

from sessionware import SessionConfig
from sessionware.asgi import ASGISession
from sessionware.litestar import SessionMiddleware
from sessionware.testing import read_session, session_cookie
from tests.conftest import SECRET

from ._app import make_app, serverside

CONFIG = SessionConfig(secret_key=SECRET)


@pytest.fixture
def client() -> Iterator[TestClient[Litestar]]:
    with TestClient(make_app(CONFIG)) as test_client:
        yield test_client


def set_cookies(response: httpx.Response) -> list[str]:
    return response.headers.get_list("set-cookie")


def test_request_session_persists_across_requests(client: TestClient[Litestar]) -> None:
    assert client.get("/count").json() == {"visits": 1}
    assert client.get("/count").json() == {"visits": 2}
    assert client.get("/session").json() == {"visits": 2}


def test_the_cookie_is_sessionware_s_and_not_permanent(client: TestClient[Litestar]) -> None:
    response = client.get("/count")
    assert read_session(set_cookies(response), CONFIG) == {"visits": 1}
    # Given sessionware's settings, not Starlette's keywords: a browser-session cookie.
    [header] = set_cookies(response)
    assert "max-age" not in header.lower()
    assert "expires" not in header.lower()


def test_a_cookie_signed_elsewhere_is_read(client: TestClient[Litestar]) -> None:
    client.cookies.set("session", session_cookie({"user": "from-flask"}, CONFIG))
    assert client.get("/session").json() == {"user": "from-flask"}


def test_a_returned_session_is_encoded_with_its_data_and_varies_on_cookie(
    client: TestClient[Litestar],
) -> None:
    client.cookies.set("session", session_cookie({"cart": [1, 2]}, CONFIG))
    response = client.get("/session")
    assert response.json() == {"cart": [1, 2]}
    assert response.headers["vary"] == "Cookie"
    assert set_cookies(response) == []


def test_set_session_replaces_the_data(client: TestClient[Litestar]) -> None:
    client.get("/count")
    response = client.post("/login")
    assert read_session(set_cookies(response), CONFIG) == {"user": "ada"}
    assert client.get("/session").json() == {"user": "ada"}


def test_set_session_with_the_same_data_sends_no_cookie(client: TestClient[Litestar]) -> None:
    client.post("/login")
    response = client.post("/login")
    assert set_cookies(response) == []
    assert response.headers["vary"] == "Cookie"
    assert client.get("/session").json() == {"user": "ada"}


def test_set_session_takes_a_model(client: TestClient[Litestar]) -> None:
    response = client.post("/login-model")
    assert read_session(set_cookies(response), CONFIG) == {"user": "grace", "role": "admin"}
    assert client.get("/session").json() == {"user": "grace", "role": "admin"}


def test_clear_session_deletes_the_cookie(client: TestClient[Litestar]) -> None:
    client.post("/login")
    response = client.post("/logout")
    [header] = set_cookies(response)
    assert header.startswith("session=;")
    assert "Max-Age=0" in header
    assert "session" not in client.cookies
    assert client.get("/session").json() == {}


def test_a_handler_that_never_touches_the_session_sets_no_cookie(
    client: TestClient[Litestar],
) -> None:
    assert set_cookies(client.get("/plain")) == []
    client.get("/count")
    cookie = client.cookies["session"]
    response = client.get("/plain")
    assert response.text == "no session here"
    assert set_cookies(response) == []
    assert client.cookies["session"] == cookie


def test_a_route_can_opt_out(client: TestClient[Litestar]) -> None:
    response = client.get("/health")
    assert response.json() == {"has_session": False}
    assert "vary" not in response.headers


def test_changes_before_an_http_exception_are_saved(client: TestClient[Litestar]) -> None:
    response = client.get("/denied")
    assert response.status_code == 401
    assert read_session(set_cookies(response), CONFIG) == {"denied": True}


def test_a_change_made_while_starting_to_stream_is_saved(client: TestClient[Litestar]) -> None:
    response = client.get("/stream")
    assert response.text == "one,two"
    assert read_session(set_cookies(response), CONFIG) == {"streamed": True}


def test_a_tampered_cookie_is_a_fresh_session_and_a_log_line(
    client: TestClient[Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    client.cookies.set("session", session_cookie({"user": "ada"}, CONFIG)[:-2] + "xx")
    with caplog.at_level(logging.INFO, logger="sessionware"):
        assert client.get("/session").json() == {}
    assert "Refused the 'session' session cookie" in caplog.text


def test_set_session_with_what_is_no_mapping_fails_the_request() -> None:
    @get("/list")
    async def listed(request: Request[Any, Any, Any]) -> None:
        request.set_session([1, 2])

    app = Litestar([listed], middleware=[SessionMiddleware(CONFIG)])
    with TestClient(app) as test_client, pytest.raises(LitestarException) as raised:
        test_client.get("/list")
    causes = []
    error: BaseException | None = raised.value
    while error is not None:
        causes.append(error)
        error = error.__cause__
    assert any(
        isinstance(cause, TypeError)
        and "request.set_session() was given a list, which encodes to a list" in str(cause)
        for cause in causes
    )


def test_the_middleware_is_configured_like_sessionware_s() -> None:
    middleware = SessionMiddleware(secret_key=SECRET, cookie_name="sid")
    assert middleware.config.cookie_name == "sid"
    assert "SecureCookieSessionInterface" in repr(middleware)
    with pytest.raises(ValueError, match="environ_key='elsewhere'"):
        SessionMiddleware(secret_key=SECRET, environ_key="elsewhere")
    with pytest.raises(TypeError):
        SessionMiddleware(secret_key=SECRET, no_such_setting=1)


def test_one_warning_for_a_missing_key_whatever_the_routes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="sessionware"):
        make_app(SessionConfig())
    assert caplog.text.count("has no secret key") == 1


def test_server_side_sessions_on_an_async_store(tmp_path: Path) -> None:
    with TestClient(serverside(CONFIG, str(tmp_path / "sessions.db"))) as test_client:
        assert test_client.get("/count").json() == {"visits": 1}
        cookie = test_client.cookies["session"]
        assert "visits" not in cookie
        assert test_client.get("/count").json() == {"visits": 2}
        test_client.post("/login")
        assert test_client.get("/session").json() == {"user": "ada"}
        # The same ID: only the signed timestamp (and so the signature) moves when the
        # cookie is re-sent in a later second.
        assert test_client.cookies["session"].rsplit(".", 2)[0] == cookie.rsplit(".", 2)[0]
        test_client.post("/logout")
        assert "session" not in test_client.cookies
        # The old ID names no record any more: presented again, it is a fresh session.
        test_client.cookies.set("session", cookie)
        assert test_client.get("/session").json() == {}


def test_an_unhandled_error_is_a_500_that_saves_the_changes_made_before_it() -> None:
    @get("/boom")
    async def boom(request: Request[Any, Any, Any]) -> None:
        request.session["before"] = True
        raise ValueError("a bug")

    app = Litestar([boom], middleware=[SessionMiddleware(CONFIG)])
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom")
    assert response.status_code == 500
    # As Litestar's own session middleware: the route made the 500, the session is in it.
    assert read_session(set_cookies(response), CONFIG) == {"before": True}


def test_a_permanent_session_slides_its_expiry_even_on_an_untouched_route() -> None:
    @get("/remember")
    async def remember(request: Request[Any, Any, Any]) -> None:
        request.session["user"] = "ada"
        session = request.scope["session"]
        assert isinstance(session, ASGISession)  # what Litestar types as a dict or a model
        session.permanent = True

    @get("/plain")
    async def plain() -> str:
        return "no session here"

    app = Litestar([remember, plain], middleware=[SessionMiddleware(CONFIG)])
    with TestClient(app) as test_client:
        test_client.get("/remember")
        [header] = set_cookies(test_client.get("/plain"))
    assert "Max-Age=" in header
    assert read_session([header], CONFIG) == {"user": "ada", "_permanent": True}


def test_regenerate_then_set_session_moves_the_data_to_a_new_id(tmp_path: Path) -> None:
    @post("/login-anew", status_code=200)
    async def login(request: Request[Any, Any, Any]) -> None:
        session = request.scope["session"]
        assert isinstance(session, ASGISession)
        session.regenerate()
        request.set_session({"user": "ada"})

    app = serverside(CONFIG, str(tmp_path / "sessions.db"))
    app.register(login)
    with TestClient(app) as test_client:
        test_client.get("/count")
        before = test_client.cookies["session"]
        test_client.post("/login-anew")
        assert test_client.cookies["session"] != before
        assert test_client.get("/session").json() == {"user": "ada"}
        # The ID from before the login names nothing any more.
        test_client.cookies.clear()
        test_client.cookies.set("session", before)
        assert test_client.get("/session").json() == {}
