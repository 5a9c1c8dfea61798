"""Pyramid with a server-side store and no middleware: changes made while a body streams.

Pyramid runs its finished callbacks before the server reads the body, so the session
factory saves such changes when the server closes the body, as the middleware does:
only a body that ran to its end commits them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pyramid.config import Configurator
from pyramid.request import Request
from pyramid.response import Response
from werkzeug.test import EnvironBuilder

from sessionware import MemoryStore, ServerSideSessionInterface
from sessionware.pyramid import session_factory
from sessionware.wsgi.middleware import WSGIApp
from tests.conftest import SECRET


class BodyFailed(Exception):
    pass


def pyramid_app(interface: ServerSideSessionInterface) -> WSGIApp:
    def streamed(request: Request, fail: bool, late: dict[str, Any]) -> Iterator[bytes]:
        yield b"first chunk\n"
        request.session.update(late)
        if fail:
            raise BodyFailed("the body broke after its first chunk")
        yield b"last chunk\n"

    def stream(request: Request) -> Response:
        request.session["early"] = True
        late = dict(request.params)
        fail = late.pop("fail", None) is not None
        response = Response(content_type="text/plain")
        response.app_iter = streamed(request, fail, late)
        return response

    def keys(request: Request) -> Response:
        return Response(json=sorted(request.session))

    with Configurator() as config:
        config.set_session_factory(session_factory(secret_key=SECRET, interface=interface))
        config.add_route("stream", "/stream")
        config.add_view(stream, route_name="stream")
        config.add_route("keys", "/keys")
        config.add_view(keys, route_name="keys")
    app: WSGIApp = config.make_wsgi_app()
    return app


class Browser:
    """Calls the app as a WSGI server does: iterate the body, then close it."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app
        self.cookie: str | None = None

    def get(self, path: str) -> bytes:
        headers = [("Cookie", f"session={self.cookie}")] if self.cookie else []
        environ = EnvironBuilder(path=path, headers=headers).get_environ()
        sent: list[tuple[str, str]] = []

        def start_response(status: str, response_headers: Any, exc_info: Any = None) -> Any:
            sent.extend(response_headers)
            return lambda data: None

        body = self.app(environ, start_response)
        received = b""
        try:
            for chunk in body:
                received += chunk
        finally:
            close = getattr(body, "close", None)
            if close is not None:  # as a server does
                close()
            for name, value in sent:
                if name.lower() == "set-cookie" and value.startswith("session="):
                    self.cookie = value.split(";", 1)[0].removeprefix("session=")
        return received

    def keys(self) -> list[str]:
        keys: list[str] = json.loads(self.get("/keys"))
        return keys


@pytest.fixture
def interface() -> ServerSideSessionInterface:
    return ServerSideSessionInterface(MemoryStore(), user_key="user_id")


def test_a_change_made_while_the_body_streams_is_saved(
    interface: ServerSideSessionInterface,
) -> None:
    browser = Browser(pyramid_app(interface))
    assert browser.get("/stream?late=1") == b"first chunk\nlast chunk\n"
    assert browser.keys() == ["_created", "early", "late"]


def test_a_body_that_fails_commits_nothing_it_changed_while_streaming(
    interface: ServerSideSessionInterface,
) -> None:
    browser = Browser(pyramid_app(interface))
    with pytest.raises(BodyFailed):
        browser.get("/stream?late=1&fail=1")
    # Saved with the headers, before the body started: kept. The late change: not.
    assert browser.keys() == ["_created", "early"]


def test_a_login_while_the_body_streams_is_in_the_user_index(
    interface: ServerSideSessionInterface,
) -> None:
    browser = Browser(pyramid_app(interface))
    browser.get("/stream?user_id=ann")
    [info] = interface.sessions_of("ann")
    assert interface.revoke("ann") == 1
    assert browser.keys() == []
    assert interface.sessions_of("ann") == []
    assert info.handle


def test_the_body_keeps_its_content_length(interface: ServerSideSessionInterface) -> None:
    sent: list[tuple[str, str]] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        sent.extend(headers)
        return lambda data: None

    app = pyramid_app(interface)
    body = app(EnvironBuilder(path="/keys").get_environ(), start_response)
    content = b"".join(body)
    getattr(body, "close", lambda: None)()
    assert ("Content-Length", str(len(content))) in sent
