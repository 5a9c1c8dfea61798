"""The WSGI middleware: the only module that knows about ``start_response``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from types import TracebackType
from typing import Any
from wsgiref.types import StartResponse as StartResponse

from .config import SessionConfig
from .interface import Headers, SessionInterface, WSGIEnviron
from .lazy import LazySession
from .securecookie import SecureCookieSessionInterface

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
        keyword arguments instead.
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
        if config is not None and settings:
            raise TypeError(
                f"pass either config= or settings ({', '.join(sorted(settings))}), not both."
            )
        if config is not None and not isinstance(config, SessionConfig):
            raise TypeError(f"config must be a SessionConfig, got {type(config).__name__}.")
        if interface is not None and not isinstance(interface, SessionInterface):
            raise TypeError(
                f"interface must be a SessionInterface, got {type(interface).__name__}."
            )
        self.app = app
        self.config = config if config is not None else SessionConfig(**settings)
        self.interface = interface if interface is not None else SecureCookieSessionInterface()
        if not self.config.secret_key:
            logger.warning(
                "SessionMiddleware has no secret key: handlers get a read-only empty "
                "session. Pass secret_key=... or set SESSIONWARE_SECRET_KEY."
            )

    def __repr__(self) -> str:
        return f"<SessionMiddleware {self.app!r} {type(self.interface).__name__}>"

    def __call__(self, environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
        session = LazySession(self.interface, self.config, environ)
        environ[self.config.environ_key] = session
        response = _Response(self, session, start_response)
        result = self.app(environ, response.start_response)
        if response.status is not None and (
            type(result) in (list, tuple) or _is_file_wrapper(environ, result)
        ):
            # No app code runs after a list or a file is returned: send now, and hand the
            # result to the server untouched (keeping wsgi.file_wrapper's fast path).
            try:
                response.send()
            except BaseException:
                _close(result)
                raise
            return result
        return _Body(response, result)


def _is_file_wrapper(environ: WSGIEnviron, result: Iterable[bytes]) -> bool:
    wrapper = environ.get("wsgi.file_wrapper")
    return isinstance(wrapper, type) and isinstance(result, wrapper)


def _close(result: Iterable[bytes]) -> None:
    close = getattr(result, "close", None)
    if close is not None:
        close()


class _Response:
    """One request's held response: status and headers until the body starts."""

    __slots__ = ("exc_info", "headers", "middleware", "session", "start", "status", "write")

    def __init__(
        self, middleware: SessionMiddleware, session: LazySession, start: StartResponse
    ) -> None:
        self.middleware = middleware
        self.session = session
        self.start = start
        self.status: str | None = None
        self.headers: Headers = []
        self.exc_info: ExcInfo | None = None
        self.write: Write | None = None

    def start_response(
        self, status: str, headers: Headers, exc_info: ExcInfo | None = None, /
    ) -> Write:
        if exc_info is not None:
            if self.write is not None:
                # Headers are out: let the server re-raise, as PEP 3333 requires.
                return self.start(status, headers, exc_info)
        elif self.status is not None:
            raise AssertionError("start_response called a second time without exc_info")
        self.status, self.headers, self.exc_info = status, headers, exc_info
        return self.write_body

    def write_body(self, data: bytes) -> object:
        write = self.write
        if write is None:
            write = self.send()
        return write(data)

    def send(self) -> Write:
        """Save the session into the headers and pass them to the server."""
        if self.write is not None:
            return self.write
        if self.status is None:
            raise AssertionError("the application sent body data before start_response")
        headers = self.headers
        session = self.session.loaded
        middleware = self.middleware
        if session is not None and not middleware.interface.is_null_session(session):
            headers = list(headers)
            middleware.interface.save_session(middleware.config, session, headers)
        self.session.headers_sent = True
        self.write = self.start(self.status, headers, self.exc_info)
        self.exc_info = None
        return self.write


class _Body:
    """Wraps the app's iterable: sends the headers at the first non-empty chunk."""

    __slots__ = ("_iterator", "_response", "_result")

    def __init__(self, response: _Response, result: Iterable[bytes]) -> None:
        self._response = response
        self._result = result
        self._iterator: Iterator[bytes] | None = None

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        iterator = self._iterator
        if iterator is None:
            iterator = self._iterator = iter(self._result)
        if self._response.write is not None:
            return next(iterator)
        for chunk in iterator:
            if chunk:
                self._response.send()
                return chunk
        self._response.send()
        raise StopIteration

    def close(self) -> None:
        try:
            _close(self._result)
        finally:
            response = self._response
            session = response.session.loaded
            interface = response.middleware.interface
            if (
                session is not None
                and response.write is not None
                and not interface.is_null_session(session)
            ):
                interface.close_session(response.middleware.config, session)
