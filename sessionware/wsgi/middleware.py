"""The WSGI middleware: the only module that knows about ``start_response``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any, NoReturn
from wsgiref.types import StartResponse as StartResponse

from sessionware.config.settings import SessionConfig
from sessionware.interfaces._arguments import check_arguments, middleware_config, no_key_message
from sessionware.interfaces.base import Headers, SessionInterface, WSGIEnviron
from sessionware.interfaces.lazy import LazySession, lazy_class
from sessionware.interfaces.signed import SecureCookieSessionInterface

__all__ = ["SessionMiddleware"]

logger = logging.getLogger("sessionware")

# The standard library's WSGI types (as typeshed spells PEP 3333), not look-alikes of
# our own: a type checker then accepts the middleware wherever a server or framework
# takes a WSGI app (wsgiref's make_server, Flask's wsgi_app) and vice versa.
ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]
Write = Callable[[bytes], object]
WSGIApp = Callable[[WSGIEnviron, StartResponse], Iterable[bytes]]


class SessionMiddleware:
    """Gives every request a session at ``environ[config.environ_key]``.

    ::

        app = SessionMiddleware(app, secret_key=os.environ["SECRET_KEY"])

    The session is opened lazily and saved when the response headers go out. Those
    are held until the app produces its first non-empty body chunk (or returns a
    list), so a plain WSGI app may call ``start_response`` first and change the
    session after. The middleware keeps no per-request state and is safe under
    threaded and multi-process servers.

    :param app: the WSGI application to wrap.
    :param config: a :class:`~sessionware.SessionConfig`; or pass its settings as
        keyword arguments instead. With neither, the settings come from the
        ``SESSIONWARE_*`` environment variables (:meth:`SessionConfig.from_env
        <sessionware.SessionConfig.from_env>`), read once, here; with either, the
        environment is not read at all (``config=SessionConfig.from_env(**settings)``
        combines both). ``interface=`` is no setting and does not stop the reading.
    :param interface: the session back end; by default a
        :class:`~sessionware.SecureCookieSessionInterface`.
    """

    def __init__(
        self,
        app: WSGIApp,
        config: SessionConfig | None = None,
        *,
        interface: SessionInterface | None = None,
        **settings: Any,
    ) -> None:
        check_arguments(config, interface, settings)
        self.app = app
        self.config = middleware_config(config, settings)
        self.interface = interface if interface is not None else SecureCookieSessionInterface()
        #: The lazy session's class: one that forwards a custom session class's attributes
        #: only when the interface has one (see :func:`~sessionware.interfaces.lazy.lazy_class`).
        self.session_type = lazy_class(_RequestSession, self.interface)
        if not self.config.secret_key and self.config.keyring is None:
            logger.warning(no_key_message(read_env=config is None and not settings))

    def __repr__(self) -> str:
        return f"<SessionMiddleware {self.app!r} {type(self.interface).__name__}>"

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        response = _Response(self, environ, start_response)
        environ[self.config.environ_key] = response.session
        try:
            result = self.app(environ, response._start_response)
        except BaseException:
            response._end()
            raise
        if response._status is not None and (
            type(result) in (list, tuple) or _is_file_wrapper(environ, result)
        ):
            # No app code runs after a list or a file is returned: send now, and hand the
            # result to the server untouched (keeping wsgi.file_wrapper's fast path).
            try:
                response._send()
            except BaseException:
                _close(result)
                raise
            finally:
                response._end()
            return result
        return _Body(response, result)


_NO_HEADERS: Headers = []


def _is_file_wrapper(environ: WSGIEnviron, result: Iterable[bytes]) -> bool:
    wrapper = environ.get("wsgi.file_wrapper")
    return isinstance(wrapper, type) and isinstance(result, wrapper)


def _finished(*args: object) -> NoReturn:
    """Stands in for the server's callables once the request is over."""
    raise AssertionError("the response is already closed")


def _close(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


class _RequestSession(LazySession):
    """The middleware's lazy session: the Flask bridge leaves saving it to the middleware."""


class _Response:
    """The request's response, held until the body starts, and its session.

    Apart from the session: LazySession forwards unknown attributes with
    ``__getattr__``, and CPython 3.11 specializes no attribute access on a class that
    has one (each costs about 370 instructions more, a method call about 740), so the
    per-request state the middleware reads on every request lives here, in slots.
    """

    __slots__ = (
        "_config",
        "_exc_info",
        "_headers",
        "_interface",
        "_start",
        "_status",
        "_write",
        "session",
    )

    def __init__(
        self, middleware: SessionMiddleware, environ: WSGIEnviron, start: StartResponse
    ) -> None:
        self._interface = interface = middleware.interface
        self._config = config = middleware.config
        #: What the app finds in the environ.
        self.session = middleware.session_type(interface, config, environ)
        self._start = start
        self._status: str | None = None
        self._headers: Headers = _NO_HEADERS
        self._exc_info: ExcInfo | None = None
        self._write: Write | None = None

    def _start_response(
        self, status: str, headers: Headers, exc_info: ExcInfo | None = None, /
    ) -> Write:
        if exc_info is not None:
            if self._write is not None:
                # Headers are out: let the server re-raise, as PEP 3333 requires.
                return self._start(status, headers, exc_info)
        elif self._status is not None:
            raise AssertionError("start_response called a second time without exc_info")
        self._status, self._headers, self._exc_info = status, headers, exc_info
        return self._write_body

    def _write_body(self, data: bytes) -> object:
        write = self._write
        if write is None:
            write = self._send()
        return write(data)

    def _send(self) -> Write:
        """Save the session into the headers and pass them to the server."""
        write = self._write
        if write is not None:
            return write
        status = self._status
        if status is None:
            raise AssertionError("the application sent body data before start_response")
        headers = self._headers
        lazy = self.session
        session = lazy._session
        if session is not None and not self._interface.is_null_session(session):
            headers = list(headers)
            self._interface.save_session(self._config, session, headers)
        lazy.headers_sent = True
        write = self._write = self._start(status, headers, self._exc_info)
        self._exc_info = None
        return write

    def _end(self) -> None:
        """Let go of the server's callables and the environ once no app code can run.

        The environ holds the session, so the session holding the environ back (or
        the server's ``start_response``, which may hold the server's request, which
        holds the environ) would make a cycle: every request would wait for the cyclic
        GC instead of being freed by reference counting when the server lets go of it.
        The session lets go of it in :meth:`LazySession._request_over`, which also
        hands an opened session to the interface's ``release_session``.
        """
        self._start = self._write = _finished
        self.session._request_over()


class _Body:
    """Wraps the app's iterable: sends the headers at the first non-empty chunk.

    It remembers whether the app's iterable ran to its end: only then are changes
    made while it streamed saved (``close_session``); a body that raised or was
    closed early (the client went away) has them discarded (``discard_session``).
    """

    __slots__ = ("_completed", "_iterator", "_response", "_result")

    def __init__(self, response: _Response, result: Iterable[bytes]) -> None:
        self._response = response
        self._result = result
        self._iterator: Iterator[bytes] | None = None
        self._completed = False

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        iterator = self._iterator
        if iterator is None:
            iterator = self._iterator = iter(self._result)
        if self._response._write is not None:
            try:
                return next(iterator)
            except StopIteration:
                self._completed = True
                raise
        for chunk in iterator:
            if chunk:
                self._response._send()
                return chunk
        self._response._send()
        self._completed = True
        raise StopIteration

    def close(self) -> None:
        try:
            _close(self._result)
        finally:
            response = self._response
            session = response.session._session
            interface = response._interface
            try:
                if (
                    session is not None
                    and response._write is not None
                    and not interface.is_null_session(session)
                ):
                    if self._completed:
                        interface.close_session(response._config, session)
                    else:
                        interface.discard_session(response._config, session)
            finally:
                # After the late save, which may still write the user index with the
                # request's environ (session_metadata), as the save with the headers did.
                response._end()
