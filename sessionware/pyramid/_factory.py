"""The Pyramid session factory: one sessionware session per request, saved once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from sessionware.config.settings import SessionConfig
from sessionware.errors import SessionwareError
from sessionware.interfaces._arguments import check_arguments
from sessionware.interfaces.base import SessionInterface
from sessionware.interfaces.lazy import LazySession, lazy_class
from sessionware.interfaces.signed import SecureCookieSessionInterface
from sessionware.sessions import SessionMixin

from ._requires import ISessionFactory, implementer
from ._session import CREATED_KEY, PyramidSession

if TYPE_CHECKING:
    from pyramid.request import Request
    from pyramid.response import Response

__all__ = ["MiddlewareMissing", "SessionFactory", "session_factory"]


class MiddlewareMissing(SessionwareError, RuntimeError):
    """A request reached a ``from_middleware`` session factory without the middleware."""


@implementer(ISessionFactory)
class SessionFactory:
    """A Pyramid session factory (``ISessionFactory``): ``request.session`` for each request.

    Build it with :func:`session_factory`. Called by Pyramid the first time a request
    touches ``request.session``. When :class:`~sessionware.SessionMiddleware` wraps the
    app, the session it put at ``environ[environ_key]`` is used and the middleware
    saves it (its settings apply, not the factory's); otherwise the factory opens the
    session through its interface and saves it into the Pyramid response.
    """

    def __init__(
        self, config: SessionConfig, interface: SessionInterface, *, from_middleware: bool
    ) -> None:
        self.config = config
        self.interface = interface
        self.from_middleware = from_middleware

    def __repr__(self) -> str:
        source = "from SessionMiddleware" if self.from_middleware else type(self.interface).__name__
        return f"<SessionFactory {source} environ_key={self.config.environ_key!r}>"

    def __call__(self, request: Request) -> PyramidSession:
        environ = request.environ
        outer = environ.get(self.config.environ_key)
        if isinstance(outer, SessionMixin):
            session = PyramidSession(outer, self.interface.clock)
            request.add_response_callback(lambda request, response: _stamp(session))
            return session
        if self.from_middleware:
            raise MiddlewareMissing(
                f"request.session was used, but the request has no "
                f"environ[{self.config.environ_key!r}] from SessionMiddleware, and the "
                "session factory was built with from_middleware=True (in the ini: "
                "sessionware.from_middleware = true). Wrap the WSGI app in "
                "SessionMiddleware (or the sessionware PasteDeploy filter) with the same "
                "environ_key, or give the factory a secret key instead."
            )
        # Opened on first use, like the middleware's: a view that only passes
        # request.session around costs nothing and sends no cookie.
        lazy = lazy_class(LazySession, self.interface)(self.interface, self.config, environ)
        session = PyramidSession(lazy, self.interface.clock)
        request.add_response_callback(
            lambda request, response: self._save(request, response, session, lazy)
        )
        return session

    def _save(
        self, request: Request, response: Response, session: PyramidSession, lazy: LazySession
    ) -> None:
        real = lazy.loaded
        if real is None or self.interface.is_null_session(real):
            return
        _stamp(session)
        # The interface sees the response's own headers, so that it merges Vary.
        headers = list(response.headerlist)
        self.interface.save_session(self.config, real, headers)
        response.headerlist = headers
        # Later writes cannot reach this response's cookie: LazySession warns of them
        # (unless the interface saves them in close_session, below).
        lazy.headers_sent = True
        if not self.interface.saves_after_response:
            request.add_finished_callback(
                lambda request: self.interface.close_session(self.config, real)
            )
            return
        # Pyramid runs its finished callbacks before the server reads the body: changes
        # made while a body streams are saved when the server closes it, once it ran
        # to its end (discarded if it failed or was cut short), as the middleware does.
        length = response.content_length
        response.app_iter = _LateSave(response.app_iter, self.interface, self.config, real)
        response.content_length = length


class _LateSave:
    """A response body whose ``close()`` saves the changes made while it streamed."""

    __slots__ = ("_body", "_completed", "_config", "_interface", "_session")

    def __init__(
        self,
        body: Iterable[bytes],
        interface: SessionInterface,
        config: SessionConfig,
        session: SessionMixin,
    ) -> None:
        self._body = body
        self._interface = interface
        self._config = config
        self._session = session
        self._completed = False

    def __iter__(self) -> Iterator[bytes]:
        yield from self._body
        self._completed = True

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            if self._completed:
                self._interface.close_session(self._config, self._session)
            else:
                self._interface.discard_session(self._config, self._session)


def _stamp(session: PyramidSession) -> None:
    """Record the creation time in a session this request is about to store."""
    real = session.session
    if real.modified and len(real) and CREATED_KEY not in real:
        real[CREATED_KEY] = session.created


def session_factory(
    config: SessionConfig | None = None,
    *,
    interface: SessionInterface | None = None,
    from_middleware: bool = False,
    **settings: Any,
) -> SessionFactory:
    """Return a Pyramid session factory for ``config.set_session_factory(...)``.

    ::

        config.set_session_factory(session_factory(secret_key=os.environ["SECRET"]))

    ``request.session`` then provides Pyramid's ``ISession`` (flash messages, CSRF
    tokens, ``invalidate()``) over a sessionware session: the cookie is the one Flask
    and any plain sessionware app read with the same secret key.

    :param config: a :class:`~sessionware.SessionConfig`; or pass its settings as
        keyword arguments instead.
    :param interface: the session back end; by default a
        :class:`~sessionware.SecureCookieSessionInterface` (a signed cookie). Pass a
        :class:`~sessionware.ServerSideSessionInterface` for a store.
    :param from_middleware: take every request's session from
        :class:`~sessionware.SessionMiddleware` wrapped around the app, which then holds
        the secret key and the settings; only ``environ_key`` may be given here.
    :raises ValueError: no secret key (and not ``from_middleware``), or a bad setting.
    :raises TypeError: arguments that do not go together.
    """
    check_arguments(config, interface, settings)
    if from_middleware:
        extra = sorted(set(settings) - {"environ_key"})
        if config is not None or interface is not None or extra:
            given = extra + [n for n, v in (("config", config), ("interface", interface)) if v]
            raise TypeError(
                f"session_factory(from_middleware=True) takes its settings from "
                f"SessionMiddleware, but {', '.join(given)} was given: configure the "
                "middleware instead, or drop from_middleware to let the factory save "
                "sessions itself."
            )
    config = config if config is not None else SessionConfig(**settings)
    if not from_middleware and not config.secret_key:
        raise ValueError(
            "session_factory() has no secret key, so it cannot sign sessions: pass "
            "secret_key=... (in the ini: sessionware.secret_key, or the "
            "SESSIONWARE_SECRET_KEY environment variable), or from_middleware=True when "
            "SessionMiddleware wraps the app and holds the key."
        )
    return SessionFactory(
        config,
        interface if interface is not None else SecureCookieSessionInterface(),
        from_middleware=from_middleware,
    )
