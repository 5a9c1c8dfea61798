"""The ASGI 3 middleware: the only module that knows about ``scope``, ``receive`` and ``send``.

Over ~300 lines so that the one protocol's state machine (the held response start,
the 5xx rule, streamed bodies, websockets, release) reads in one place, as the WSGI
middleware does in :mod:`sessionware.wsgi.middleware`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from sessionware.config.settings import SessionConfig
from sessionware.interfaces._arguments import (
    awaits_store,
    check_arguments,
    middleware_config,
    no_key_message,
)
from sessionware.interfaces.base import Headers, SessionInterface, WSGIEnviron
from sessionware.interfaces.lazy import OWN_SESSIONS, forwarding, lazy_class
from sessionware.interfaces.signed import SecureCookieSessionInterface
from sessionware.serverside import STORE_ERROR_KEY
from sessionware.sessions import SessionMixin

from ._session import PLACEHOLDER_KEY, ASGISession
from .starlette import UNTIL, StarletteCompatInterface, starlette_settings

__all__ = ["ASGIApp", "Message", "Receive", "Scope", "Send", "SessionMiddleware"]

logger = logging.getLogger("sessionware")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SessionMiddleware:
    """Gives every ``http`` and ``websocket`` connection a session at ``scope["session"]``.

    ::

        app = SessionMiddleware(app, secret_key=os.environ["SECRET_KEY"])

    Starlette's and FastAPI's ``request.session`` (and ``websocket.session``) then work
    unchanged, with sessionware's cookie, which Flask and sessionware's WSGI middleware
    read and write too. The session is opened the first time the app touches it and
    saved into ``http.response.start``, which is held until the first non-empty body
    message, so changes made before the body starts are saved. On a websocket the
    cookie goes out with ``websocket.accept``.

    A 5xx response sent whole (its start and one last body message) is held until
    the app returns: if the app raises instead, the response is one its exception
    produced (Starlette's ``ServerErrorMiddleware`` sends it, then re-raises), and
    it goes out as sent, without the session's changes. A 5xx the app returns is
    saved into as any response. Put this middleware outermost.

    Called with Starlette's keywords (``secret_key``, ``session_cookie``, ``max_age``,
    ``path``, ``same_site``, ``https_only``, ``domain``, ``partitioned``, and nothing
    of sessionware's), it behaves as Starlette's ``SessionMiddleware``: permanent
    cookies of ``max_age`` seconds (14 days by default), sent only when the session
    changed, and cookies written by Starlette's middleware with the same secret are
    read once and re-issued in sessionware's format
    (:class:`~sessionware.asgi.StarletteCompatInterface`).

    :param app: the ASGI application to wrap.
    :param config: a :class:`~sessionware.SessionConfig`; or pass its settings (or
        Starlette's keywords) as keyword arguments instead. With neither, the settings
        come from the ``SESSIONWARE_*`` environment variables (:meth:`SessionConfig.from_env
        <sessionware.SessionConfig.from_env>`, sessionware's defaults, not Starlette
        mode), read once, here; with either, the environment is not read at all.
    :param interface: the session back end; by default a
        :class:`~sessionware.SecureCookieSessionInterface`.
    """

    def __init__(
        self,
        app: ASGIApp,
        /,
        config: SessionConfig | None = None,
        *,
        interface: SessionInterface | None = None,
        **settings: Any,
    ) -> None:
        check_arguments(config, interface, settings)
        read_env = config is None and not settings
        starlette = starlette_settings(settings) if config is None and settings else None
        if starlette is not None:
            settings, compat = starlette
            if interface is None:
                interface = StarletteCompatInterface(**compat)
            elif UNTIL in compat:
                raise TypeError(
                    f"{UNTIL} is a setting of StarletteCompatInterface, which interface= "
                    f"replaces; pass StarletteCompatInterface({UNTIL}=...) as interface=, "
                    "or drop interface=."
                )
        self.app = app
        self.config = middleware_config(config, settings)
        self.interface = interface if interface is not None else SecureCookieSessionInterface()
        self._key = self.config.environ_key
        #: Build the whole request's environ for the interface, not just its cookies.
        self.reads_request = bool(getattr(self.interface, "reads_request", False))
        #: The interface's store calls are awaited (AsyncServerSideSessionInterface).
        self.awaits_store = awaits_store(self.interface)
        #: The session's class: one that forwards a custom session class's attributes
        #: only when the interface has one (see :func:`~sessionware.interfaces.lazy.lazy_class`).
        self.session_type = lazy_class(_ScopeSession, self.interface)
        if not self.config.secret_key and self.config.keyring is None:
            logger.warning(no_key_message(read_env))

    def __repr__(self) -> str:
        return f"<SessionMiddleware {self.app!r} {type(self.interface).__name__}>"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http" and kind != "websocket":
            await self.app(scope, receive, send)
            return
        connection = _Connection(self, scope, send)
        scope[self._key] = connection.session
        if self.awaits_store:
            # A dict method cannot await the store: open the session before the app runs.
            await _run_awaiting(connection.session.load)
        wrapped = connection.send_http if kind == "http" else connection.send_ws
        try:
            # The app is awaited here, not in a helper coroutine: one coroutine less per request.
            try:
                await self.app(scope, receive, wrapped)
            except BaseException:
                try:
                    if connection._held_error is not None:
                        # The app raised after a whole 5xx response: one its exception
                        # produced (Starlette's ServerErrorMiddleware sends it, then
                        # re-raises). It goes out as sent, without the request's changes.
                        await connection._release_unsaved()
                finally:
                    # The app failed (or the client went away) after the headers went out:
                    # what it changed since then must not be committed (the WSGI rule).
                    opened = connection._opened
                    if connection._sent and opened is not None:
                        self.interface.discard_session(self.config, opened)
                raise
            if connection._held is not None:
                # The app returned after http.response.start without a body: send what it
                # sent, so the server sees the same protocol error it would without us.
                await connection._release()
            if connection._sent:
                opened = connection._opened
                if opened is not None:
                    if self.awaits_store:
                        await _run_awaiting(self.interface.close_session, self.config, opened)
                    else:
                        self.interface.close_session(self.config, opened)
        finally:
            # scope -> session -> connection -> scope is a reference cycle: break it, so
            # that the connection's objects are freed by reference counting, not the
            # cyclic GC. So are scope -> session -> connection -> the server's send -> the
            # server's request -> scope, and session -> connection -> session. A message
            # sent after this goes straight to _closed, which raises, and never reads the
            # session; a late touch of the session still opens it from the headers.
            connection._scope = None
            connection._send = _closed
            connection._sent = True
            del connection.session
            opened = connection._opened
            if opened is not None:
                self.interface.release_session(self.config, opened)


async def _closed(message: Message) -> None:
    raise RuntimeError(f"ASGI message {message.get('type')!r} sent after the application returned")


async def _run_awaiting(function: Any, *args: Any) -> Any:
    # Imported on first use: only async stores need greenlet.
    from sessionware.serverside.awaiting import run_awaiting

    return await run_awaiting(function, *args)


def _environ(headers: Any) -> WSGIEnviron:
    """The environ-like dict the interfaces read: the scope's cookies as ``HTTP_COOKIE``."""
    # A loop, not a comprehension: no function object per request (Python 3.11).
    header = None
    for name, value in headers:
        if name == b"cookie":
            # HTTP/2 servers may pass one cookie header per pair; RFC 9113 joins them
            # with "; ".
            header = value if header is None else header + b"; " + value
    return {} if header is None else {"HTTP_COOKIE": header.decode("latin-1")}


_SCHEMES = {"ws": "http", "wss": "https"}


def _request_environ(scope: Scope) -> WSGIEnviron:
    """The connection as a WSGI environ: what an interface that reads the request sees.

    PEP 3333's keys from the ASGI scope: ``REQUEST_METHOD`` (``GET`` for a websocket),
    ``SCRIPT_NAME``, ``PATH_INFO``, ``QUERY_STRING``, ``SERVER_NAME``/``SERVER_PORT``,
    ``REMOTE_ADDR``/``REMOTE_PORT``, ``SERVER_PROTOCOL``, ``wsgi.url_scheme``, and
    each header as ``HTTP_*`` (``CONTENT_TYPE``, ``CONTENT_LENGTH``), repeated headers
    joined with ``,`` (cookies with ``; ``). Built only when the interface asks for it
    (:attr:`~sessionware.SessionInterface.reads_request`).
    """
    scheme = scope.get("scheme") or "http"
    environ: WSGIEnviron = {
        "REQUEST_METHOD": scope.get("method", "GET"),
        "SCRIPT_NAME": scope.get("root_path", ""),
        "PATH_INFO": scope.get("path", ""),
        "QUERY_STRING": bytes(scope.get("query_string", b"")).decode("latin-1"),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.url_scheme": _SCHEMES.get(scheme, scheme),
    }
    server = scope.get("server")
    if server:
        environ["SERVER_NAME"] = str(server[0])
        environ["SERVER_PORT"] = "" if server[1] is None else str(server[1])
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"] = str(client[0])
        environ["REMOTE_PORT"] = str(client[1])
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        if name not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = "HTTP_" + name
        value = raw_value.decode("latin-1")
        if name in environ:
            value = environ[name] + ("; " if name == "HTTP_COOKIE" else ",") + value
        environ[name] = value
    return environ


class _ScopeSession(ASGISession):
    """The connection's session: an :class:`ASGISession` that opens from the scope's
    headers, through its :class:`_Connection`."""

    __slots__ = ("_connection",)

    def __init__(self, connection: _Connection) -> None:
        # ASGISession's attributes set here rather than through its __init__: this runs
        # for every connection, touched or not (tests/asgi check they stay in step).
        self._interface = connection._interface
        self._config = connection._config
        self._environ = _NO_ENVIRON
        self._session: SessionMixin | None = None
        self.headers_sent = False
        self._late_write_logged = False
        dict.__setitem__(self, PLACEHOLDER_KEY, None)
        self._connection = connection

    def load(self) -> Any:
        """Open the real session (once), reading the cookie from the scope's headers."""
        session = self._session
        if session is not None:
            return session
        return self._connection.open(self)


class _Connection:
    """The connection's response start, held until the body, and its session.

    Apart from the session: LazySession forwards unknown attributes with
    ``__getattr__``, and CPython 3.11 specializes no attribute access on a class that
    has one (each costs about 370 instructions more, a method call about 740), so the
    state read on every message lives here, in slots.
    """

    __slots__ = (
        "_awaits",
        "_config",
        "_headers",
        "_held",
        "_held_error",
        "_interface",
        "_loaded",
        "_opened",
        "_reads_request",
        "_scope",
        "_send",
        "_sent",
        "session",
    )

    def __init__(self, middleware: SessionMiddleware, scope: Scope, send: Send) -> None:
        self._interface = middleware.interface
        self._config = middleware.config
        self._scope: Scope | None = scope
        # The headers, not the scope, are what opening needs: they outlive the cycle break.
        self._headers = scope.get("headers", ())
        self._send = send
        self._held: Message | None = None
        #: The last body message of a 5xx response, held with its start until the app
        #: returns (saved then) or raises (sent as is).
        self._held_error: Message | None = None
        #: The opened session, null or not (the session's own ``_session``, kept here).
        self._loaded: SessionMixin | None = None
        #: The opened session, unless it is a null one (no key): what is saved, closed
        #: and released. Decided once, when it opens.
        self._opened: SessionMixin | None = None
        #: The response start (or websocket accept) went out: the session's
        #: ``headers_sent``, kept here.
        self._sent = False
        self._awaits = middleware.awaits_store
        self._reads_request = middleware.reads_request
        #: What the app finds in the scope.
        self.session: _ScopeSession = middleware.session_type(self)

    def open(self, lazy: _ScopeSession) -> SessionMixin:
        """Open ``lazy``'s real session, reading the cookie from the scope's headers."""
        scope = self._scope
        if self._reads_request and scope is not None:
            environ = _request_environ(scope)
        else:
            environ = _environ(self._headers)
        # ASGISession.load and LazySession.load, in one frame: this runs on every
        # request that touches its session.
        interface = self._interface
        session = interface.open_session(self._config, environ)
        if session is None:
            session = interface.make_null_session(self._config)
        lazy._environ = environ
        lazy._session = self._loaded = session
        if type(session) not in OWN_SESSIONS:
            lazy.__class__ = forwarding(type(lazy))
        lazy._mirror(session)
        if not interface.is_null_session(session):
            self._opened = session
        error = environ.get(STORE_ERROR_KEY)
        if error is not None and scope is not None:
            scope[STORE_ERROR_KEY] = error
        return session

    async def send_http(self, message: Message) -> None:
        if self._sent:
            await self._send(message)
            return
        if self._held_error is not None:
            # A message after a 5xx's last body (trailers): the app did not raise first.
            await self._release()
            await self._send(message)
            return
        kind = message["type"]
        if kind == "http.response.start":
            self._held = message
            return
        held = self._held
        if held is None:
            await self._send(message)
            return
        if kind == "http.response.body":
            if not message.get("more_body"):
                if self._loaded is not None and held.get("status", 200) >= 500:
                    # A whole 5xx response may be what an exception produced, sent before
                    # the exception reaches us: wait for the app to return or raise.
                    self._held_error = message
                    return
            elif not message.get("body"):
                # An empty chunk carries nothing: keep holding, the app may still change
                # the session before its first real chunk.
                return
        self._held = None
        if self._loaded is None:
            # Untouched: nothing to save, the start goes out as the app sent it.
            self._sent = self.session.headers_sent = True
            await self._send(held)
        elif self._awaits:
            await self._send(await self._save(held))
        else:
            # Saved in this frame: no coroutine of _save's for a store that never awaits.
            await self._send(self._saved(held))
        await self._send(message)

    async def _release(self) -> None:
        """Send the held start with the session saved, and the held 5xx body if any."""
        held = self._held
        assert held is not None
        self._held = None
        await self._send(await self._save(held))
        body = self._held_error
        if body is not None:
            self._held_error = None
            await self._send(body)

    async def _release_unsaved(self) -> None:
        """Send the held 5xx response as the app sent it, without saving the session."""
        held, body = self._held, self._held_error
        assert held is not None
        assert body is not None
        self._held = self._held_error = None
        self._sent = self.session.headers_sent = True
        await self._send(held)
        await self._send(body)

    async def _save(self, message: Message) -> Message:
        if self._awaits:
            saved: Message = await _run_awaiting(self._saved, message)
            return saved
        return self._saved(message)

    def _saved(self, message: Message) -> Message:
        """``message`` with the session saved into its headers."""
        self._sent = self.session.headers_sent = True
        session = self._opened
        if session is None:
            return message
        # The interfaces append Set-Cookie and Vary, and merge into an existing Vary:
        # they are shown the response's Vary headers only, so the others are neither
        # decoded nor encoded again. (ASGI header names are lowercase.)
        raw = message.get("headers") or ()
        vary_at: list[int] = []
        headers: Headers = []
        for index, (name, value) in enumerate(raw):
            if name == b"vary":
                vary_at.append(index)
                headers.append(("vary", value.decode("latin-1")))
        self._interface.save_session(self._config, session, headers)
        if not headers:
            # Nothing to add (a read, an unchanged session): the start goes out as sent.
            return message
        out = list(raw)
        at = len(vary_at)
        for position, (name, value) in enumerate(headers):
            if value == "Cookie" and name == "Vary":
                header = _VARY_COOKIE
            else:
                header = (
                    _NAMES.get(name) or name.lower().encode("latin-1"),
                    value.encode("latin-1"),
                )
            if position < at:
                out[vary_at[position]] = header
            else:
                out.append(header)
        return {**message, "headers": out}

    async def send_ws(self, message: Message) -> None:
        if not self._sent and message["type"] in (
            "websocket.accept",
            "websocket.http.response.start",
        ):
            message = await self._save(message)
        await self._send(message)


#: The names interfaces add, as ASGI header names (others are lowercased and encoded).
_NAMES = {"Set-Cookie": b"set-cookie", "Vary": b"vary"}
#: The header most responses get, encoded once.
_VARY_COOKIE = (b"vary", b"Cookie")
_NO_ENVIRON: WSGIEnviron = {}
