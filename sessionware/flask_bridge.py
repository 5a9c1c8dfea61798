"""Flask integration: Flask's ``session`` becomes the middleware's session.

Wrap the Flask app's WSGI callable in :class:`~sessionware.SessionMiddleware` and set
:class:`MiddlewareSessionInterface` as its session interface (:func:`init_app` does both);
``flask.session`` and ``request.environ["session"]`` are then one object, loaded
lazily and saved once, by the middleware. Needs the ``flask`` extra
(``pip install sessionware[flask]``); ``import sessionware`` alone never imports Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from flask.sessions import SessionInterface as _MiddlewareSessionInterface
from flask.sessions import SessionMixin as _FlaskSessionMixin

from .config import SessionConfig
from .errors import SessionwareError
from .middleware import SessionMiddleware

if TYPE_CHECKING:
    from flask import Flask, Request, Response

    from .interface import SessionInterface

__all__ = ["MiddlewareMissing", "MiddlewareSessionInterface", "init_app"]


class MiddlewareMissing(SessionwareError, RuntimeError):
    """A Flask request reached :class:`MiddlewareSessionInterface` without the middleware."""


class MiddlewareSessionInterface(_MiddlewareSessionInterface):
    """A Flask session interface that hands Flask the middleware's session.

    It loads and saves nothing itself: :class:`~sessionware.SessionMiddleware`, wrapped
    around ``app.wsgi_app``, opens the session lazily and writes the cookie, so Flask's
    ``SECRET_KEY`` and ``SESSION_COOKIE_*`` settings play no part; configure the
    middleware instead. Flask's ``test_client().session_transaction()`` cannot work
    with it (its requests bypass the middleware); set up session data with a request.

    :param environ_key: where the middleware puts the session; its ``environ_key``.
    """

    def __init__(self, environ_key: str = "session") -> None:
        self.environ_key = environ_key

    def open_session(self, app: Flask, request: Request) -> _FlaskSessionMixin:
        """Return the session the middleware put in the request's environ.

        :raises MiddlewareMissing: the app is not wrapped in ``SessionMiddleware`` (or
            the middleware uses another ``environ_key``).
        """
        try:
            session = request.environ[self.environ_key]
        except KeyError:
            raise MiddlewareMissing(
                f"Flask asked for the session, but the request has no "
                f"environ[{self.environ_key!r}]: wrap the app with "
                "app.wsgi_app = SessionMiddleware(app.wsgi_app, ...) (or call "
                "sessionware.flask_bridge.init_app(app, ...)), and give "
                "MiddlewareSessionInterface the middleware's environ_key."
            ) from None
        # Flask only needs the mapping and the new/modified/accessed/permanent
        # attributes, which every sessionware session has.
        return cast(_FlaskSessionMixin, session)

    def save_session(self, app: Flask, session: _FlaskSessionMixin, response: Response) -> None:
        """Do nothing: the middleware saves the session when the headers go out."""


def init_app(
    app: Flask,
    config: SessionConfig | None = None,
    *,
    interface: SessionInterface | None = None,
    **settings: Any,
) -> SessionMiddleware:
    """Wrap ``app.wsgi_app`` in the middleware and make it Flask's session.

    ``app`` stays the Flask object (so ``app.run`` and ``app.test_client`` keep
    working); the middleware is returned for inspection. Arguments are those of
    :class:`~sessionware.SessionMiddleware`.
    """
    middleware = SessionMiddleware(app.wsgi_app, config, interface=interface, **settings)
    app.session_interface = MiddlewareSessionInterface(middleware.config.environ_key)
    app.wsgi_app = middleware  # type: ignore[method-assign]
    return middleware
