"""Flask integration: Flask's ``session`` is a sessionware session.

::

    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    init_app(app)

:func:`init_app` makes :class:`FlaskSessionInterface` Flask's session interface. It
reads Flask's own settings (``SECRET_KEY``, ``SECRET_KEY_FALLBACKS``,
``SESSION_COOKIE_*``, ``PERMANENT_SESSION_LIFETIME``, ``SESSION_REFRESH_EACH_REQUEST``,
``MAX_COOKIE_SIZE``, ``APPLICATION_ROOT``) where Flask's own interface reads them, on
every request (``app.secret_key`` and ``app.permanent_session_lifetime``, which an app
class may set as class attributes, and ``app.config`` for the rest), and has a
sessionware :class:`~sessionware.SessionInterface` (signed cookie by default, or
server-side) open the session lazily and write the cookie. Every request
Flask handles gets it, whether or not it passed through
:class:`~sessionware.SessionMiddleware`: ``test_request_context()``,
``test_client().session_transaction()`` and ``flash()`` work as with Flask's built-in
sessions. Behind the middleware, ``flask.session`` is the middleware's session (same
object as ``request.environ["session"]``) and the middleware saves it.

Needs the ``flask`` extra (``pip install sessionware[flask]``); ``import sessionware``
alone never imports Flask.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from flask.sessions import SecureCookieSessionInterface as _FlaskCookieInterface
from flask.sessions import SessionInterface as _FlaskSessionInterface
from flask.sessions import SessionMixin as _FlaskSessionMixin

from sessionware.config.settings import SessionConfig
from sessionware.errors import SessionwareError
from sessionware.interfaces.base import SessionInterface
from sessionware.interfaces.flask_style import (
    FlaskNullSession,
    FlaskStyleInterface,
    add_response_headers,
    install,
)
from sessionware.interfaces.lazy import LazySession, lazy_class
from sessionware.wsgi.middleware import _RequestSession

if TYPE_CHECKING:
    from flask import Flask, Request, Response

__all__ = [
    "FlaskNullSession",
    "FlaskSessionInterface",
    "MiddlewareMissing",
    "MiddlewareSessionInterface",
    "init_app",
]


#: One entry for each request whose session the bridge opened and that is not yet
#: torn down, innermost first: (the session to free, or ``None`` for the middleware's
#: session or none at all; the entry before it). A context variable, as
#: Flask's own request context is: the teardown finds the session without going
#: through ``flask.request``, whose proxy cost more than the rest of the teardown.
_opened: ContextVar[tuple[LazySession | None, Any] | None] = ContextVar(
    "sessionware_flask_opened", default=None
)


class FlaskSessionInterface(FlaskStyleInterface, _FlaskSessionInterface):
    """Flask's session interface, backed by a sessionware :class:`SessionInterface`.

    Its arguments (``config``, ``interface``, settings) are those of
    :class:`~sessionware.interfaces.flask_style.FlaskStyleInterface`: with neither
    ``config`` nor settings, the settings come from ``app.config`` on each request.
    """

    # Flask types this as its own NullSession; it only ever calls it with no arguments.
    null_session_class = FlaskNullSession  # type: ignore[assignment]

    def open_session(self, app: Flask, request: Request) -> _FlaskSessionMixin | None:
        """Return the request's session, opened only when a view first touches it.

        Behind :class:`~sessionware.SessionMiddleware` that is the middleware's own
        session. ``None`` (Flask then uses :class:`FlaskNullSession`) when no secret
        key is set.
        """
        config = self.config_for(app)
        environ = request.environ
        session = environ.get(config.environ_key)
        if isinstance(session, LazySession):
            if isinstance(session, _RequestSession):
                # The middleware's, which the middleware frees; the entry is there so
                # that this request's teardown pops its own, not an outer request's.
                _opened.set((None, _opened.get()))
            # Else this request's own, asked for again (session_transaction() does).
            return cast(_FlaskSessionMixin, session)
        if not config.secret_key:
            _opened.set((None, _opened.get()))
            return None
        # In the environ too, so plain WSGI code and sessionware's own extras
        # (regenerate, invalidate) reach the same object as flask.session.
        session_type = lazy_class(LazySession, self.interface)
        session = environ[config.environ_key] = session_type(self.interface, config, environ)
        # For the teardown, which needs no config to find it.
        _opened.set((session, _opened.get()))
        # Flask only needs the mapping and the new/modified/accessed/permanent
        # attributes, which every sessionware session has.
        return cast(_FlaskSessionMixin, session)

    def save_session(self, app: Flask, session: _FlaskSessionMixin, response: Response) -> None:
        """Put the session's ``Set-Cookie`` and ``Vary`` on ``response``.

        Does nothing for a session no view touched, and nothing behind the middleware,
        which saves its session itself.
        """
        if not isinstance(session, LazySession) or isinstance(session, _RequestSession):
            return
        interface, config = session._interface, session._config
        # From here on a change cannot reach this response's cookie: LazySession logs
        # such late writes, unless the back end saves them when the response closes.
        session.headers_sent = True
        # When the response closes: the late save, if any, and letting go of the environ.
        response.call_on_close(partial(_close, session))
        loaded = session.loaded
        if loaded is None or interface.is_null_session(loaded):
            return
        headers: list[tuple[str, str]] = []
        interface.save_session(config, loaded, headers)
        add_response_headers(response, headers)


def _release_unsaved(error: BaseException | None) -> None:
    """On every request's teardown: a session Flask never saved (it propagated the
    view's exception, or the request is a ``test_request_context()``) lets go of the
    environ here, as a saved one does when its response closes (:func:`_close`).

    After an exception the session may have been saved into a response that is
    never closed (``save_session`` itself raised), so it lets go then too; a 500
    response Flask does send still runs :func:`_close`, which finds nothing to do.

    The session comes from :data:`_opened`, not ``flask.session`` (reading that marks
    it accessed, which opens it).
    """
    entry = _opened.get()
    if entry is None:  # a request context pushed again, in another thread
        return
    session, outer = entry
    _opened.set(outer)  # this request (perhaps nested in another) is over
    if session is not None and (error is not None or not session.headers_sent):
        session._request_over()


def _close(session: LazySession) -> None:
    """After the response: let the back end save what changed while the body streamed,
    and let go of the environ, which holds the session (a cycle otherwise)."""
    interface = session._interface
    loaded = session.loaded
    try:
        if (
            interface.saves_after_response
            and loaded is not None
            and not interface.is_null_session(loaded)
        ):
            interface.close_session(session._config, loaded)
    finally:
        session._request_over()


def init_app(
    app: Flask,
    config: SessionConfig | None = None,
    *,
    interface: SessionInterface | None = None,
    **settings: Any,
) -> FlaskSessionInterface:
    """Make sessionware Flask's session, configured from ``app.config``.

    Arguments are those of :class:`FlaskSessionInterface`. The settings are checked
    now, so a bad ``app.config`` fails at start-up; later changes to ``app.config``
    take effect on the next request. Returns the interface, also found at
    ``app.session_interface`` and ``app.extensions["sessionware"]``. It also registers
    a ``teardown_request`` function: a session Flask never saved (a propagated
    exception, ``test_request_context()``) lets go of the request's environ there.

    To share the session with WSGI code outside Flask, wrap the app (or the stack
    around it) in :class:`~sessionware.SessionMiddleware` with the same settings;
    ``flask.session`` is then the middleware's session.
    """
    bridge = FlaskSessionInterface(config, interface=interface, **settings)
    install(app, bridge, _FlaskCookieInterface)
    if _release_unsaved not in app.teardown_request_funcs.get(None, ()):
        app.teardown_request(_release_unsaved)
    return bridge


class MiddlewareMissing(SessionwareError, RuntimeError):
    """A Flask request reached :class:`MiddlewareSessionInterface` without the middleware."""


class MiddlewareSessionInterface(_FlaskSessionInterface):
    """A Flask session interface that only hands Flask the middleware's session.

    Prefer :func:`init_app`, which also works without the middleware. This one loads
    and saves nothing itself: :class:`~sessionware.SessionMiddleware`, wrapped around
    ``app.wsgi_app``, does, so Flask's ``SECRET_KEY`` and ``SESSION_COOKIE_*`` play no
    part, and ``session_transaction()`` cannot work with it.

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
                "app.wsgi_app = SessionMiddleware(app.wsgi_app, ...), or use "
                "sessionware.flask.bridge.init_app(app), which works without it."
            ) from None
        return cast(_FlaskSessionMixin, session)

    def save_session(self, app: Flask, session: _FlaskSessionMixin, response: Response) -> None:
        """Do nothing: the middleware saves the session when the headers go out."""
