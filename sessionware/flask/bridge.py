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

import logging
from functools import partial
from typing import TYPE_CHECKING, Any, NoReturn, cast

from flask import request as flask_request
from flask.sessions import SecureCookieSessionInterface as _FlaskCookieInterface
from flask.sessions import SessionInterface as _FlaskSessionInterface
from flask.sessions import SessionMixin as _FlaskSessionMixin

from sessionware.config.settings import SessionConfig
from sessionware.errors import SessionUnavailable, SessionwareError
from sessionware.interfaces._arguments import check_arguments
from sessionware.interfaces.base import SessionInterface
from sessionware.interfaces.lazy import LazySession
from sessionware.interfaces.signed import SecureCookieSessionInterface
from sessionware.sessions import NullSession
from sessionware.wsgi.middleware import _RequestSession

from ._config import FlaskConfigReader

if TYPE_CHECKING:
    from flask import Flask, Request, Response

__all__ = [
    "FlaskNullSession",
    "FlaskSessionInterface",
    "MiddlewareMissing",
    "MiddlewareSessionInterface",
    "init_app",
]

logger = logging.getLogger("sessionware")

#: Where the bridge's own session (not the middleware's) also sits in the environ.
_OPENED_KEY = "sessionware.flask.bridge.session"

_UNAVAILABLE = (
    "The session is unavailable because no secret key was set. Set app.secret_key "
    "(app.config['SECRET_KEY']) to something unique and secret, e.g. from "
    "python -c 'import secrets; print(secrets.token_hex(32))'."
)


class FlaskNullSession(NullSession):
    """The session of a Flask app without a secret key: writes say how to set one.

    Writes raise :class:`~sessionware.SessionUnavailable`, a :class:`RuntimeError`
    whose message starts as Flask's does ("The session is unavailable ...").
    """

    def _fail(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise SessionUnavailable(_UNAVAILABLE)

    __setitem__ = __delitem__ = popitem = setdefault = _fail


class FlaskSessionInterface(_FlaskSessionInterface):
    """Flask's session interface, backed by a sessionware :class:`SessionInterface`.

    With no ``config`` the settings come from ``app.config`` on each request (a
    config is rebuilt only when one of the keys changed); keyword ``settings`` win
    over ``app.config``; a ``config`` replaces it altogether.

    :param config: a fixed :class:`~sessionware.SessionConfig`; ``app.config`` is
        then not read.
    :param interface: the back end that reads and writes sessions; by default a
        :class:`~sessionware.SecureCookieSessionInterface` (the cookie Flask writes).
    :param settings: :class:`~sessionware.SessionConfig` settings that win over
        ``app.config``.
    :raises TypeError: both ``config`` and ``settings``, an unknown setting, or an
        argument of the wrong type.
    """

    # Flask types this as its own NullSession; it only ever calls it with no arguments.
    null_session_class = FlaskNullSession  # type: ignore[assignment]

    def __init__(
        self,
        config: SessionConfig | None = None,
        *,
        interface: SessionInterface | None = None,
        **settings: Any,
    ) -> None:
        check_arguments(config, interface, settings)
        self.interface: SessionInterface = interface or SecureCookieSessionInterface()
        self._config = config
        self._reader = FlaskConfigReader(settings)
        #: The app :func:`init_app` installed this interface on, for :attr:`config`.
        self.app: Flask | None = None

    def __repr__(self) -> str:
        source = "fixed config" if self._config is not None else "app.config"
        return f"<FlaskSessionInterface {type(self.interface).__name__} from {source}>"

    @property
    def config(self) -> SessionConfig:
        """The settings in force now for the app :func:`init_app` installed this on.

        (``init_app`` used to return the middleware, whose ``config`` this stands in for.)

        :raises RuntimeError: the interface was not installed by :func:`init_app` and
            has no fixed config; call :meth:`config_for` with the app.
        """
        if self._config is not None:
            return self._config
        if self.app is None:
            raise RuntimeError(
                "this FlaskSessionInterface reads app.config but was not installed by "
                "init_app(app); call config_for(app) instead."
            )
        return self.config_for(self.app)

    def config_for(self, app: Flask) -> SessionConfig:
        """The session settings in force for ``app`` now.

        Each is read where Flask's own interface reads it: ``app.secret_key`` and
        ``app.permanent_session_lifetime`` (attributes, which an app class may set),
        the rest from ``app.config``.

        :raises ValueError: the app holds a session setting sessionware refuses
            (the message names the Flask key).
        """
        config = self._config
        return config if config is not None else self._reader.for_app(app)

    def open_session(self, app: Flask, request: Request) -> _FlaskSessionMixin | None:
        """Return the request's session, opened only when a view first touches it.

        Behind :class:`~sessionware.SessionMiddleware` that is the middleware's own
        session. ``None`` (Flask then uses :class:`FlaskNullSession`) when no secret
        key is set.
        """
        config = self.config_for(app)
        environ = request.environ
        session = environ.get(config.environ_key)
        if not isinstance(session, LazySession):
            if not config.secret_key:
                return None
            # In the environ too, so plain WSGI code and sessionware's own extras
            # (regenerate, invalidate) reach the same object as flask.session.
            session = environ[config.environ_key] = LazySession(self.interface, config, environ)
            # For the teardown, which needs no config to find it.
            environ[_OPENED_KEY] = session
        # Flask only needs the mapping and the new/modified/accessed/permanent
        # attributes, which every sessionware session has.
        return cast(_FlaskSessionMixin, session)

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is a session that must not be saved; never opens one."""
        if isinstance(obj, LazySession):
            loaded = obj.loaded
            return loaded is not None and obj._interface.is_null_session(loaded)
        return isinstance(obj, NullSession)

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
        response_headers = response.headers
        for name, value in headers:
            if name.lower() == "vary" and "Vary" in response_headers:
                # Merge with the view's Vary; werkzeug's HeaderSet costs more than all
                # the rest of the save, so it is only built when there is one.
                response.vary.update(part.strip() for part in value.split(","))
            else:
                response_headers.add(name, value)

    # Flask's getters, for extensions that ask the interface about the cookie.

    def get_cookie_name(self, app: Flask) -> str:
        """The session cookie's name."""
        return self.config_for(app).cookie_name

    def get_cookie_domain(self, app: Flask) -> str | None:
        """The cookie's ``Domain`` attribute, or ``None``."""
        return self.config_for(app).cookie_domain

    def get_cookie_path(self, app: Flask) -> str:
        """The cookie's ``Path`` attribute."""
        return self.config_for(app).cookie_path

    def get_cookie_httponly(self, app: Flask) -> bool:
        """Whether the cookie is ``HttpOnly``."""
        return self.config_for(app).cookie_httponly

    def get_cookie_secure(self, app: Flask) -> bool:
        """Whether the cookie is ``Secure``."""
        return self.config_for(app).cookie_secure

    def get_cookie_samesite(self, app: Flask) -> str | None:
        """The cookie's ``SameSite`` attribute, or ``None``."""
        return self.config_for(app).cookie_samesite

    def get_cookie_partitioned(self, app: Flask) -> bool:
        """Whether the cookie is ``Partitioned``."""
        return self.config_for(app).cookie_partitioned


def _release_unsaved(error: BaseException | None) -> None:
    """On every request's teardown: a session Flask never saved (it propagated the
    view's exception, or the request is a ``test_request_context()``) lets go of the
    environ here, as a saved one does when its response closes (:func:`_close`).

    After an exception the session may have been saved into a response that is
    never closed (``save_session`` itself raised), so it lets go then too; a 500
    response Flask does send still runs :func:`_close`, which finds nothing to do.
    """
    # Not flask.session: reading it marks the session accessed, which opens it.
    session = flask_request.environ.pop(_OPENED_KEY, None)
    if isinstance(session, LazySession) and (error is not None or not session.headers_sent):
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
    bridge.config_for(app)
    replaced = app.session_interface
    if type(replaced) is not _FlaskCookieInterface and not isinstance(
        replaced, FlaskSessionInterface
    ):
        # A custom Flask interface would silently stop working: say so.
        logger.warning(
            "init_app replaces the app's session interface, a %s; sessionware's %s "
            "handles the app's sessions now.",
            type(replaced).__name__,
            type(bridge.interface).__name__,
        )
    bridge.app = app
    if _release_unsaved not in app.teardown_request_funcs.get(None, ()):
        app.teardown_request(_release_unsaved)
    app.session_interface = bridge
    app.extensions["sessionware"] = bridge
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
