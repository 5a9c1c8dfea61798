"""WSGI correctness: lazy opening, held headers, write(), exc_info, close(), errors, threads."""

from __future__ import annotations

import os
import sys
import threading
import wsgiref.util
import wsgiref.validate
from collections.abc import Callable, Iterable, Iterator
from io import BytesIO
from typing import Any

import pytest
from werkzeug.test import Client

from sessionware import (
    CookieTooLarge,
    SecureCookieSessionInterface,
    SessionConfig,
    SessionMiddleware,
)
from sessionware.wsgi.middleware import StartResponse

from .conftest import SECRET

Environ = dict[str, Any]
App = Callable[[Environ, StartResponse], Iterable[bytes]]


class Server:
    """A strict stand-in for a WSGI server: records what it is given, in order."""

    def __init__(self, cookie: str | None = None) -> None:
        self.cookie = cookie
        self.status: str | None = None
        self.headers: list[tuple[str, str]] = []
        self.body: list[bytes] = []
        self.events: list[str] = []

    def environ(self) -> Environ:
        environ: Environ = {}
        wsgiref.util.setup_testing_defaults(environ)
        environ["wsgi.input"] = BytesIO()
        if self.cookie:
            environ["HTTP_COOKIE"] = self.cookie
        return environ

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        if exc_info is not None and self.body:
            raise exc_info[1].with_traceback(exc_info[2])
        self.events.append(f"start {status}")
        self.status, self.headers = status, headers
        return self.write

    def write(self, data: bytes) -> None:
        assert self.status is not None, "write() before start_response()"
        self.events.append("write")
        self.body.append(data)

    def run(self, app: App) -> Server:
        result = app(self.environ(), self.start_response)
        try:
            for chunk in result:
                assert self.status is not None, "body before start_response()"
                self.body.append(chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
                self.events.append("close")
        return self

    def set_cookies(self) -> list[str]:
        return [value for name, value in self.headers if name == "Set-Cookie"]

    def session_cookie(self) -> str:
        (header,) = self.set_cookies()
        return header.split(";")[0]


class CountingInterface(SecureCookieSessionInterface):
    """Counts how often sessions are opened, to prove laziness."""

    opened = 0

    def open_session(self, config: SessionConfig, environ: Environ) -> Any:
        self.opened += 1
        return super().open_session(config, environ)


def wrap(app: App, **settings: Any) -> SessionMiddleware:
    settings.setdefault("secret_key", SECRET)
    return SessionMiddleware(app, **settings)


def test_untouched_session_is_never_opened() -> None:
    interface = CountingInterface()

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        return [b"hi"]

    server = Server(cookie="session=anything").run(wrap(app, interface=interface))
    assert interface.opened == 0
    assert server.body == [b"hi"]
    assert server.headers == []


def test_session_is_opened_once_on_first_touch() -> None:
    interface = CountingInterface()

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        session = environ["session"]
        assert not session.modified
        assert not session.accessed
        session.get("a")
        session.get("b")
        start_response("200 OK", [])
        return [b""]

    Server().run(wrap(app, interface=interface))
    assert interface.opened == 1


def test_changes_after_start_response_before_the_body_are_saved() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        environ["session"]["user"] = "ann"
        yield b""
        environ["session"]["step"] = 2
        yield b"body"

    server = Server().run(wrap(app))
    assert server.events[0] == "start 200 OK"
    reader = Server(cookie=server.session_cookie())
    seen: dict[str, Any] = {}

    def read(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        seen.update(environ["session"])
        start_response("200 OK", [])
        return []

    reader.run(wrap(read))
    assert seen == {"user": "ann", "step": 2}


def test_list_response_after_start_response_is_saved() -> None:
    def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [])
        environ["session"]["user"] = "ann"
        return [b"ok"]

    assert len(Server().run(wrap(app)).set_cookies()) == 1


def test_changes_after_the_first_byte_are_logged_as_lost(
    session_log: pytest.LogCaptureFixture,
) -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [])
        yield b"first"
        environ["session"]["late"] = 1
        environ["session"]["later"] = 2
        yield b"second"

    server = Server().run(wrap(app))
    assert server.set_cookies() == []
    (record,) = session_log.records
    assert "after the response headers were sent" in record.getMessage()
    assert "'late'" in record.getMessage()


def test_an_app_yielding_nothing_still_gets_headers() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("204 No Content", [])
        environ["session"]["x"] = 1
        yield from ()

    server = Server().run(wrap(app))
    assert server.status == "204 No Content"
    assert len(server.set_cookies()) == 1


def test_write_callable_sends_headers_with_the_session_first() -> None:
    def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
        write = start_response("200 OK", [])
        environ["session"]["x"] = 1
        write(b"streamed")
        write(b"more")
        return [b"end"]

    server = Server().run(wrap(app))
    assert server.events[:3] == ["start 200 OK", "write", "write"]
    assert server.body == [b"streamed", b"more", b"end"]
    assert len(server.set_cookies()) == 1


def test_exc_info_replaces_held_headers() -> None:
    def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [("X-First", "1")])
        environ["session"]["x"] = 1
        try:
            raise ValueError("boom")
        except ValueError:
            start_response("500 Internal Server Error", [("X-Second", "1")], sys.exc_info())
        return [b"error page"]

    server = Server().run(wrap(app))
    assert server.status == "500 Internal Server Error"
    assert ("X-First", "1") not in server.headers
    assert ("X-Second", "1") in server.headers


def test_exc_info_after_headers_were_sent_reraises() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [])
        yield b"partial"
        try:
            raise ValueError("mid-stream")
        except ValueError:
            start_response("500 Internal Server Error", [], sys.exc_info())
        yield b"never"

    with pytest.raises(ValueError, match="mid-stream"):
        Server().run(wrap(app))


def test_start_response_twice_without_exc_info_is_an_error() -> None:
    def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [])
        start_response("200 OK", [])
        return []

    with pytest.raises(AssertionError, match="second time"):
        Server().run(wrap(app))


def test_body_before_start_response_is_an_error() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        yield b"too early"

    with pytest.raises(AssertionError, match="before start_response"):
        Server().run(wrap(app))


class ClosingBody:
    """An app iterable that records close() and can fail while iterating."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.closed = False
        self.fail_at = fail_at

    def __iter__(self) -> Iterator[bytes]:
        for index in range(3):
            if index == self.fail_at:
                raise RuntimeError("iteration failed")
            yield b"x"

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("fail_at", [None, 0, 2])
def test_close_is_always_called(fail_at: int | None) -> None:
    body = ClosingBody(fail_at)

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        environ["session"]["x"] = 1
        return body

    if fail_at is None:
        Server().run(wrap(app))
    else:
        with pytest.raises(RuntimeError, match="iteration failed"):
            Server().run(wrap(app))
    assert body.closed


def test_an_exception_before_the_body_saves_nothing() -> None:
    body = ClosingBody(fail_at=0)

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        environ["session"]["x"] = 1
        return body

    server = Server()
    with pytest.raises(RuntimeError):
        server.run(wrap(app))
    assert server.status is None
    assert body.closed


def test_exceptions_from_the_app_propagate_unchanged() -> None:
    error = KeyError("original")

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        environ["session"]["x"] = 1
        raise error

    server = Server()
    with pytest.raises(KeyError) as caught:
        server.run(wrap(app))
    assert caught.value is error
    assert server.status is None


def test_a_response_is_closed_when_saving_fails() -> None:
    class ClosingList(list[bytes]):
        closed = False

        def close(self) -> None:
            self.closed = True

    body = ClosingList([b"x"])

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        environ["session"]["big"] = os.urandom(3000).hex()
        return body

    server = Server()
    with pytest.raises(CookieTooLarge):
        server.run(wrap(app))
    assert body.closed
    assert server.status is None

    plain = [b"x"]

    def list_app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        environ["session"]["big"] = os.urandom(3000).hex()
        return plain

    with pytest.raises(CookieTooLarge):
        server.run(wrap(list_app))


def test_list_and_file_wrapper_results_are_passed_through() -> None:
    body = [b"a", b"b"]

    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        return body

    server = Server()
    assert wrap(app)(server.environ(), server.start_response) is body

    class FileWrapper:
        def __init__(self, data: bytes) -> None:
            self.data = data

        def __iter__(self) -> Iterator[bytes]:
            yield self.data

    def file_app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        wrapper: type[FileWrapper] = environ["wsgi.file_wrapper"]
        return wrapper(b"file")

    environ = server.environ()
    environ["wsgi.file_wrapper"] = FileWrapper
    assert isinstance(wrap(file_app)(environ, server.start_response), FileWrapper)


def test_response_headers_list_of_the_app_is_not_mutated() -> None:
    headers = [("Content-Type", "text/plain")]

    def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
        environ["session"]["x"] = 1
        start_response("200 OK", headers)
        return []

    server = Server().run(wrap(app))
    assert headers == [("Content-Type", "text/plain")]
    assert len(server.headers) == 3


def counter_app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
    """Counts visits, streaming its body after start_response."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    session = environ["sessionware.session"]
    session["n"] = session.get("n", 0) + 1
    yield str(session["n"]).encode()


def test_passes_wsgiref_validator_inside_and_outside() -> None:
    inner = wsgiref.validate.validator(counter_app)
    app = wsgiref.validate.validator(wrap(inner, environ_key="sessionware.session"))
    client = Client(app)
    # The validator warns (an error here, with filterwarnings=error) on any violation.
    assert client.get("/", buffered=True).text == "1"
    assert client.get("/", buffered=True).text == "2"


def test_concurrent_requests_keep_their_own_sessions() -> None:
    app = wrap(counter_app, environ_key="sessionware.session")
    errors: list[str] = []
    barrier = threading.Barrier(8)

    def user(index: int) -> None:
        client = Client(app)
        barrier.wait()
        for expected in range(1, 26):
            text = client.get("/").text
            if text != str(expected):
                errors.append(f"user {index}: got {text}, expected {expected}")

    threads = [threading.Thread(target=user, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_repr_names_the_app_and_interface() -> None:
    assert "SecureCookieSessionInterface" in repr(wrap(counter_app))


def test_the_request_session_starts_like_a_lazy_session() -> None:
    """The middleware's per-request session sets every attribute that LazySession's
    methods rely on, as LazySession does."""
    from sessionware.interfaces.lazy import LazySession
    from sessionware.wsgi.middleware import _Response

    middleware = wrap(counter_app)
    lazy = LazySession(middleware.interface, middleware.config, {})
    request = _Response(middleware, {}, Server().start_response).session
    assert set(vars(lazy)) <= set(vars(request))
    assert {name: getattr(request, name) for name in vars(lazy) if name != "_environ"} == {
        name: getattr(lazy, name) for name in vars(lazy) if name != "_environ"
    }
