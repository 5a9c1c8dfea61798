"""What the Flask and Quart session interfaces share, without importing either framework.

Quart mirrors Flask's ``SessionInterface`` with coroutine methods; the rest is the same:
settings read from the app where Flask reads them (:mod:`sessionware.config.flask_app`),
a null session whose writes say how to set a key, Flask's ``get_cookie_*`` getters, and
the headers a save adds to a werkzeug-style response. The framework integrations
(:mod:`sessionware.flask`, :mod:`sessionware.quart`) subclass :class:`FlaskStyleInterface`
beside their framework's own base class and add only the calls their framework makes.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from sessionware.config.flask_app import FlaskConfigReader
from sessionware.config.settings import SessionConfig
from sessionware.errors import SessionUnavailable
from sessionware.sessions import NullSession

from ._arguments import check_arguments
from .base import Headers, SessionInterface
from .lazy import LazySession
from .signed import SecureCookieSessionInterface

__all__ = ["FlaskNullSession", "FlaskStyleInterface", "add_response_headers", "install"]

logger = logging.getLogger("sessionware")

_UNAVAILABLE = (
    "The session is unavailable because no secret key was set. Set app.secret_key "
    "(app.config['SECRET_KEY']) to something unique and secret, e.g. from "
    "python -c 'import secrets; print(secrets.token_hex(32))'."
)


class FlaskNullSession(NullSession):
    """The session of a Flask (or Quart) app without a secret key: writes say how to set one.

    Writes raise :class:`~sessionware.SessionUnavailable`, a :class:`RuntimeError`
    whose message starts as Flask's does ("The session is unavailable ...").
    """

    def _fail(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise SessionUnavailable(_UNAVAILABLE)

    __setitem__ = __delitem__ = popitem = setdefault = _fail


class FlaskStyleInterface:
    """A framework session interface backed by a sessionware :class:`SessionInterface`.

    With no ``config`` the settings come from the app on each request (a config is
    rebuilt only when one of the values read changed); keyword ``settings`` win over
    ``app.config``; a ``config`` replaces it altogether.

    :param config: a fixed :class:`~sessionware.SessionConfig`; ``app.config`` is
        then not read.
    :param interface: the back end that reads and writes sessions; by default a
        :class:`~sessionware.SecureCookieSessionInterface` (the cookie Flask writes).
    :param settings: :class:`~sessionware.SessionConfig` settings that win over
        ``app.config``.
    :raises TypeError: both ``config`` and ``settings``, an unknown setting, or an
        argument of the wrong type.
    """

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
        #: The app ``init_app`` installed this interface on, for :attr:`config`.
        self.app: Any = None

    def __repr__(self) -> str:
        source = "fixed config" if self._config is not None else "app.config"
        return f"<{type(self).__name__} {type(self.interface).__name__} from {source}>"

    @property
    def config(self) -> SessionConfig:
        """The settings in force now for the app ``init_app`` installed this on.

        (``init_app`` used to return the middleware, whose ``config`` this stands in for.)

        :raises RuntimeError: the interface was not installed by ``init_app`` and has
            no fixed config; call :meth:`config_for` with the app.
        """
        if self._config is not None:
            return self._config
        if self.app is None:
            raise RuntimeError(
                f"this {type(self).__name__} reads app.config but was not installed by "
                "init_app(app); call config_for(app) instead."
            )
        return self.config_for(self.app)

    def config_for(self, app: Any) -> SessionConfig:
        """The session settings in force for ``app`` now.

        Each is read where Flask's own interface reads it: ``app.secret_key`` and
        ``app.permanent_session_lifetime`` (attributes, which an app class may set),
        the rest from ``app.config``.

        :raises ValueError: the app holds a session setting sessionware refuses
            (the message names the Flask key).
        """
        config = self._config
        return config if config is not None else self._reader.for_app(app)

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is a session that must not be saved; never opens one."""
        if isinstance(obj, LazySession):
            loaded = obj.loaded
            return loaded is not None and obj._interface.is_null_session(loaded)
        return isinstance(obj, NullSession)

    # Flask's getters, for extensions that ask the interface about the cookie.

    def get_cookie_name(self, app: Any) -> str:
        """The session cookie's name."""
        return self.config_for(app).cookie_name

    def get_cookie_domain(self, app: Any) -> str | None:
        """The cookie's ``Domain`` attribute, or ``None``."""
        return self.config_for(app).cookie_domain

    def get_cookie_path(self, app: Any) -> str:
        """The cookie's ``Path`` attribute."""
        return self.config_for(app).cookie_path

    def get_cookie_httponly(self, app: Any) -> bool:
        """Whether the cookie is ``HttpOnly``."""
        return self.config_for(app).cookie_httponly

    def get_cookie_secure(self, app: Any) -> bool:
        """Whether the cookie is ``Secure``."""
        return self.config_for(app).cookie_secure

    def get_cookie_samesite(self, app: Any) -> str | None:
        """The cookie's ``SameSite`` attribute, or ``None``."""
        return self.config_for(app).cookie_samesite

    def get_cookie_partitioned(self, app: Any) -> bool:
        """Whether the cookie is ``Partitioned``."""
        return self.config_for(app).cookie_partitioned


def add_response_headers(response: Any, headers: Headers) -> None:
    """Add a save's ``Set-Cookie`` and ``Vary`` to a werkzeug-style ``response``."""
    response_headers = response.headers
    for name, value in headers:
        if name.lower() == "vary" and _has_vary(response_headers):
            # Merge with the view's Vary; werkzeug's HeaderSet costs more than all
            # the rest of the save, so it is only built when there is one.
            response.vary.update(part.strip() for part in value.split(","))
        else:
            response_headers.add(name, value)


def _has_vary(response_headers: Any) -> bool:
    """Whether the response has a ``Vary`` header.

    Over the names, not ``"Vary" in headers``: werkzeug's ``Headers`` answers that
    by raising and catching a ``BadRequestKeyError`` when the header is missing, which
    costs more than the rest of a read's save.
    """
    # A loop, not any(...): no generator per save. keys() is werkzeug's, not a dict's.
    for key in response_headers.keys():  # noqa: SIM110, SIM118
        if key.lower() == "vary":
            return True
    return False


def install(app: Any, bridge: FlaskStyleInterface, default: type) -> None:
    """Make ``bridge`` the app's session interface (and ``app.extensions["sessionware"]``).

    The settings are read once now, so a bad ``app.config`` fails at start-up. Replacing
    a custom interface (neither the framework's ``default`` nor a sessionware one) is
    logged: it would silently stop working.
    """
    bridge.config_for(app)
    replaced = app.session_interface
    if type(replaced) is not default and not isinstance(replaced, FlaskStyleInterface):
        logger.warning(
            "init_app replaces the app's session interface, a %s; sessionware's %s "
            "handles the app's sessions now.",
            type(replaced).__name__,
            type(bridge.interface).__name__,
        )
    bridge.app = app
    app.session_interface = bridge
    app.extensions["sessionware"] = bridge
