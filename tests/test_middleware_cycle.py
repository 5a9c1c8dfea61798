"""A request's objects are freed by reference counting alone, not by the cyclic GC.

The session the middleware (or the Flask bridge) puts in the environ must let go of the
environ and of the server's callables once the request is over; otherwise every request
is a reference cycle that waits for a GC pass (latency spikes under load). Each test runs
with the cyclic GC switched off and checks, through a weak reference to an object hung on
the environ, that the environ is gone as soon as the server drops it.
"""

from __future__ import annotations

import contextlib
import gc
import traceback
import weakref
import wsgiref.util
from collections.abc import Iterable, Iterator
from io import BytesIO, StringIO
from typing import Any
from wsgiref.handlers import SimpleHandler

import flask
import pytest

from sessionware import ServerSideSessionInterface, SessionInterface, SessionMiddleware
from sessionware.flask.bridge import init_app
from sessionware.stores import MemoryStore, StoreError
from sessionware.wsgi.middleware import StartResponse

from .conftest import SECRET

Environ = dict[str, Any]


class Marker:
    """Hung on the environ: alive exactly as long as the environ is."""


@pytest.fixture(autouse=True)
def no_cyclic_gc() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def serve(
    app: Any,
    cookie: str | None = None,
    *,
    interface: SessionInterface | None = None,
    multiprocess: bool = False,
) -> tuple[weakref.ref[Marker], bytes]:
    """Run one request to ``app`` behind the middleware; return the marker and the response."""
    middleware = SessionMiddleware(app, secret_key=SECRET, interface=interface)
    return run(middleware, cookie, multiprocess=multiprocess)


def run(
    app: Any, cookie: str | None = None, *, multiprocess: bool = False, path: str = "/"
) -> tuple[weakref.ref[Marker], bytes]:
    """Run one request through wsgiref's own handler; return the marker and the response."""
    base: Environ = {"PATH_INFO": path}
    wsgiref.util.setup_testing_defaults(base)
    base["test.marker"] = Marker()
    if cookie is not None:
        base["HTTP_COOKIE"] = cookie
    out = BytesIO()
    handler = SimpleHandler(
        BytesIO(), out, StringIO(), base, multithread=False, multiprocess=multiprocess
    )
    marker = weakref.ref(base["test.marker"])
    handler.run(app)
    return marker, out.getvalue()


def cookie_of(response: bytes) -> str:
    (line,) = [line for line in response.split(b"\r\n") if line.startswith(b"Set-Cookie:")]
    return line.split(b":", 1)[1].split(b";", 1)[0].strip().decode()


def streaming_app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    environ["session"]["n"] = environ["session"].get("n", 0) + 1
    yield b"count "
    yield str(environ["session"]["n"]).encode()


def test_a_streamed_response_frees_the_environ_without_the_gc() -> None:
    marker, response = serve(streaming_app)
    assert response.endswith(b"count 1")
    assert marker() is None


def test_a_list_response_frees_the_environ_without_the_gc() -> None:
    def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [])
        environ["session"]["user"] = "ann"
        return [b"ok"]

    marker, response = serve(app)
    assert b"Set-Cookie: session=" in response
    assert marker() is None


def test_an_untouched_session_frees_the_environ_without_the_gc() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        return iter([b"ok"])

    marker, response = serve(app)
    assert response.endswith(b"ok")
    assert marker() is None


def test_an_app_that_raises_frees_the_environ_without_the_gc() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        environ["session"]["user"] = "ann"
        raise LookupError("the app failed")

    environ: Environ = {"test.marker": Marker()}
    marker = weakref.ref(environ["test.marker"])
    middleware = SessionMiddleware(app, secret_key=SECRET)
    # Not pytest.raises: its traceback would keep the middleware's frame, and the environ.
    with contextlib.suppress(LookupError):
        middleware(environ, lambda status, headers, exc_info=None: len)
    del environ
    assert marker() is None


def test_a_session_first_touched_after_the_response_still_reads_the_cookie(
    session_log: pytest.LogCaptureFixture,
) -> None:
    """Code that keeps the session past the response (a background task) may still
    read it: what opening needs outlives the environ."""
    _, response = serve(streaming_app)
    kept: list[Any] = []

    def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
        kept.append(environ["session"])
        start_response("200 OK", [])
        return [b"ok"]

    marker, _ = serve(app, cookie=cookie_of(response))
    assert marker() is None
    (session,) = kept
    assert session["n"] == 1
    session["n"] = 2
    (record,) = session_log.records
    assert "after the response headers were sent" in record.getMessage()


def test_a_session_first_touched_after_the_response_still_sees_the_worker_processes(
    session_log: pytest.LogCaptureFixture,
) -> None:
    """Opening also reads ``wsgi.multiprocess`` (a process-local store warns), so that
    is kept too."""
    kept: list[Any] = []

    def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
        kept.append(environ["session"])
        start_response("200 OK", [])
        return [b"ok"]

    interface = ServerSideSessionInterface(MemoryStore())
    marker, _ = serve(app, interface=interface, multiprocess=True)
    assert marker() is None
    assert kept[0].get("user") is None
    (record,) = session_log.records
    assert "several worker processes" in record.getMessage()


def test_writing_after_the_response_is_closed_is_an_error() -> None:
    writes: list[Any] = []

    def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        writes.append(start_response("200 OK", []))
        yield b"ok"

    serve(app)
    with pytest.raises(AssertionError, match="already closed"):
        writes[0](b"late")


# With user_key, the server-side session keeps the environ until the index is written,
# for session_metadata: that must not outlive the request either.


def indexed() -> ServerSideSessionInterface:
    """A user index whose metadata tells whether it was given the request's own environ."""
    return ServerSideSessionInterface(
        MemoryStore(),
        user_key="user_id",
        touch_interval=0,
        session_metadata=lambda environ: {"request": "test.marker" in environ},
    )


def login_app(environ: Environ, start_response: StartResponse) -> list[bytes]:
    start_response("200 OK", [])
    environ["session"]["user_id"] = "ann"
    environ["session"].regenerate()
    return [b"ok"]


def streamed_login_app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
    start_response("200 OK", [])
    environ["session"]["user_id"] = "ann"
    yield b"logged "
    yield b"in"


def test_a_login_under_user_key_frees_the_environ_without_the_gc() -> None:
    interface = indexed()
    marker, response = serve(login_app, interface=interface)
    assert b"Set-Cookie: session=" in response
    assert marker() is None
    (listed,) = interface.sessions_of("ann")
    assert listed.metadata == {"request": True}


def test_a_streamed_login_under_user_key_frees_the_environ_without_the_gc() -> None:
    interface = indexed()
    marker, response = serve(streamed_login_app, interface=interface)
    assert response.endswith(b"logged in")
    assert marker() is None
    (listed,) = interface.sessions_of("ann")
    assert listed.metadata == {"request": True}


def test_a_read_that_renews_the_index_entry_frees_the_environ_without_the_gc() -> None:
    interface = indexed()
    _, response = serve(login_app, interface=interface)
    interface.store.user_index().remove("ann", interface.sessions_of("ann")[0].handle)

    def app(environ: Environ, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [])
        return [str(environ["session"]["user_id"]).encode()]

    marker, response = serve(app, cookie=cookie_of(response), interface=interface)
    assert response.endswith(b"ann")
    assert marker() is None
    (listed,) = interface.sessions_of("ann")  # written again by the read, with metadata
    assert listed.metadata == {"request": True}


def test_an_app_that_raises_under_user_key_frees_the_environ_without_the_gc() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        environ["session"]["user_id"] = "ann"
        raise LookupError("the app failed")

    interface = indexed()
    environ: Environ = {"test.marker": Marker()}
    marker = weakref.ref(environ["test.marker"])
    middleware = SessionMiddleware(app, secret_key=SECRET, interface=interface)
    with contextlib.suppress(LookupError):
        middleware(environ, lambda status, headers, exc_info=None: len)
    del environ
    assert marker() is None
    assert interface.sessions_of("ann") == []


def test_a_body_that_fails_before_its_first_chunk_frees_the_environ_without_the_gc() -> None:
    def app(environ: Environ, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [])
        environ["session"]["user_id"] = "ann"
        raise LookupError("the body failed")
        yield b"never"

    interface = indexed()
    marker, response = serve(app, interface=interface)
    assert b"500" in response.split(b"\r\n", 1)[0]
    assert marker() is None
    assert interface.sessions_of("ann") == []


# Flask's session without the middleware: the bridge's own session is in the environ.


def flask_app(interface: SessionInterface | None = None) -> flask.Flask:
    app = flask.Flask(__name__)
    app.secret_key = SECRET
    init_app(app, interface=interface)

    @app.get("/")
    def login() -> str:
        flask.session["user_id"] = "ann"
        return "ok"

    @app.get("/stream")
    def stream() -> flask.Response:
        flask.session["user_id"] = "ann"

        def body() -> Iterator[str]:
            yield "logged "
            flask.session["seen"] = True  # after the headers: saved when it closes
            yield "in"

        return flask.Response(flask.stream_with_context(body()))

    @app.get("/nothing")
    def nothing() -> str:
        return "nothing"

    return app


@pytest.mark.parametrize("path", ["/", "/stream", "/nothing"])
def test_a_flask_request_frees_the_environ_without_the_gc(path: str) -> None:
    marker, response = run(flask_app(), path=path)
    assert response.startswith(b"HTTP/1.0 200 OK")
    assert marker() is None


@pytest.mark.parametrize("path", ["/", "/stream", "/nothing"])
def test_a_flask_request_under_user_key_frees_the_environ_without_the_gc(path: str) -> None:
    interface = indexed()
    marker, response = run(flask_app(interface), path=path)
    assert response.startswith(b"HTTP/1.0 200 OK")
    assert marker() is None
    listed = [info.metadata for info in interface.sessions_of("ann")]
    assert listed == ([] if path == "/nothing" else [{"request": True}])


def test_a_flask_session_first_touched_after_the_response_still_reads_the_cookie() -> None:
    app = flask_app()
    kept: list[Any] = []

    @app.get("/keep")
    def keep() -> str:
        kept.append(flask.request.environ["session"])  # flask.session would open it
        return "kept"

    _, response = run(app, path="/")
    marker, _ = run(app, cookie=cookie_of(response), path="/keep")
    assert marker() is None
    assert kept[0]["user_id"] == "ann"


def test_a_flask_session_first_touched_after_the_response_still_sees_the_worker_processes(
    session_log: pytest.LogCaptureFixture,
) -> None:
    app = flask_app(ServerSideSessionInterface(MemoryStore()))
    kept: list[Any] = []

    @app.get("/keep")
    def keep() -> str:
        kept.append(flask.request.environ["session"])  # flask.session would open it
        return "kept"

    marker, _ = run(app, path="/keep", multiprocess=True)
    assert marker() is None
    assert kept[0].get("user_id") is None
    (record,) = session_log.records
    assert "several worker processes" in record.getMessage()


# Flask never calls save_session when it propagates a view's exception (TESTING or
# PROPAGATE_EXCEPTIONS) or for test_request_context(): the bridge lets go on teardown,
# a teardown_request function init_app registers. Out of reach: a FlaskSessionInterface
# set as app.session_interface by hand (no init_app, so no teardown), and a view that
# raised without propagating: Flask's wsgi_app then keeps the exception in its own
# frame (a cycle with Flask's own sessions too); the bridge still lets go when the 500
# response closes.


def failing_flask_app(interface: SessionInterface | None, touch: bool) -> flask.Flask:
    app = flask.Flask(__name__)
    app.secret_key = SECRET
    app.config["PROPAGATE_EXCEPTIONS"] = True
    init_app(app, interface=interface)

    @app.get("/")
    def fail() -> str:
        if touch:
            flask.session["user_id"] = "ann"
        raise LookupError("the view failed")

    return app


def propagate(app: flask.Flask, error: type[Exception]) -> weakref.ref[Marker]:
    """Run one request whose ``error`` Flask propagates; return the environ's marker."""
    environ: Environ = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ["test.marker"] = Marker()
    marker = weakref.ref(environ["test.marker"])
    try:
        app(environ, lambda status, headers, exc_info=None: len)
    except error as exc:
        # Flask's wsgi_app keeps the exception in a local of its frame, which the
        # exception's traceback holds: a cycle of Flask's own (there without
        # sessionware too), not the one under test. Clearing the frames breaks it.
        traceback.clear_frames(exc.__traceback__)
    else:  # pragma: no cover - the request must fail
        raise AssertionError(f"the request did not raise {error.__name__}")
    return marker


@pytest.mark.parametrize("touch", [True, False], ids=["touched", "untouched"])
@pytest.mark.parametrize("index", [False, True], ids=["cookie", "user_key"])
def test_a_flask_view_whose_exception_propagates_frees_the_environ_without_the_gc(
    touch: bool, index: bool
) -> None:
    interface = indexed() if index else None
    marker = propagate(failing_flask_app(interface, touch), LookupError)
    assert marker() is None
    if interface is not None:
        assert interface.sessions_of("ann") == []  # never saved


class DownStore(MemoryStore):
    """Fails every write, as a store that went down after the session was read."""

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        raise StoreError("the store is down")


def test_a_flask_save_that_raises_frees_the_environ_without_the_gc() -> None:
    """save_session raised: the response it wrote into is never sent, nor closed."""
    app = flask_app(ServerSideSessionInterface(DownStore()))
    app.config["PROPAGATE_EXCEPTIONS"] = True
    assert propagate(app, StoreError)() is None


@pytest.mark.parametrize("touch", [True, False], ids=["touched", "untouched"])
@pytest.mark.parametrize("index", [False, True], ids=["cookie", "user_key"])
def test_a_flask_test_request_context_frees_the_environ_without_the_gc(
    touch: bool, index: bool
) -> None:
    app = flask_app(indexed() if index else None)
    environ: Environ = {"test.marker": Marker()}
    marker = weakref.ref(environ["test.marker"])
    with app.test_request_context(environ_overrides=environ):
        if touch:
            flask.session["user_id"] = "ann"
        session = flask.request.environ["session"]  # not flask.session: that opens it
    del environ
    assert marker() is None
    # Letting go opens nothing: an untouched session stays unopened.
    assert (session.loaded is None) is not touch
    assert session.get("user_id") == ("ann" if touch else None)


def test_flask_test_request_contexts_nested_in_one_another_each_free_their_environ() -> None:
    app = flask_app()
    outer_environ: Environ = {"test.marker": Marker()}
    inner_environ: Environ = {"test.marker": Marker()}
    outer = weakref.ref(outer_environ["test.marker"])
    inner = weakref.ref(inner_environ["test.marker"])
    with app.test_request_context(environ_overrides=outer_environ):
        flask.session["user_id"] = "ann"
        with app.test_request_context(environ_overrides=inner_environ):
            flask.session["user_id"] = "bob"
        del inner_environ
        assert inner() is None
        # The inner request's teardown let go of its own session, not the outer one.
        assert outer() is not None
        assert flask.session["user_id"] == "ann"
    del outer_environ
    assert outer() is None


def test_a_flask_request_behind_the_middleware_nested_in_one_leaves_the_outer_session_be() -> None:
    inner_app = flask_app()
    inner = SessionMiddleware(inner_app, secret_key=SECRET)
    interface = indexed()
    outer_app = flask_app(interface)

    @outer_app.get("/nested")
    def nested() -> str:
        flask.session["user_id"] = "ann"
        _, response = run(inner)  # its teardown must not let go of this request's session
        assert response.startswith(b"HTTP/1.0 200 OK")
        return "nested"

    marker, response = run(outer_app, path="/nested")
    assert response.startswith(b"HTTP/1.0 200 OK")
    assert marker() is None
    # Written with this request's own environ, which it still had when it saved.
    assert [info.metadata for info in interface.sessions_of("ann")] == [{"request": True}]
