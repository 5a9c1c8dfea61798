"""Quart integration: Quart's ``session`` is a sessionware session.

::

    app = Quart(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    init_app(app)

:func:`init_app` makes :class:`QuartSessionInterface` Quart's session interface. Quart
mirrors Flask's session interface with coroutine methods, and its apps have Flask's
attributes and keys, so the settings are read as :func:`sessionware.flask.init_app`
reads them (:mod:`sessionware.config.flask_app`): ``app.secret_key`` and
``app.permanent_session_lifetime``, and ``SECRET_KEY_FALLBACKS``, ``SESSION_COOKIE_*``,
``SESSION_REFRESH_EACH_REQUEST``, ``MAX_COOKIE_SIZE`` and ``APPLICATION_ROOT`` from
``app.config``, on every request. The cookie is the one Flask writes: a Flask app and a
Quart app with one secret key share their logins.

With a store (``store="redis://..."`` or an :class:`~sessionware.stores.AsyncStore`)
sessions are kept server-side and every store call is awaited on the event loop: the
session is loaded when Quart opens it (before the view runs) and saved when Quart
saves it, after the view returned. A sync store that leaves the process
(``RedisStore``, ``SQLStore``) is refused, since it would block the loop.

Needs the ``quart`` extra (``pip install sessionware[quart]``); ``import sessionware``
alone never imports Quart.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, cast

from quart.sessions import SecureCookieSessionInterface as _QuartCookieInterface
from quart.sessions import SessionInterface as _QuartSessionInterface
from quart.sessions import SessionMixin as _QuartSessionMixin

from sessionware.asgi.middleware import _request_environ
from sessionware.config.settings import SessionConfig
from sessionware.interfaces._arguments import awaits_store
from sessionware.interfaces.base import SessionInterface, WSGIEnviron
from sessionware.interfaces.flask_style import (
    FlaskNullSession,
    FlaskStyleInterface,
    add_response_headers,
    install,
)
from sessionware.interfaces.lazy import LazySession, lazy_class
from sessionware.sessions import SessionMixin
from sessionware.stores.asyncbase import AsyncStore
from sessionware.stores.base import Store

from ._stores import store_interface

if TYPE_CHECKING:
    from quart import Quart
    from quart.wrappers import BaseRequestWebsocket, Response
    from werkzeug.wrappers import Response as WerkzeugResponse

__all__ = ["QuartSessionInterface", "init_app"]

logger = logging.getLogger("sessionware")


class _QuartSession(LazySession):
    """The session :class:`QuartSessionInterface` opened (and so saves).

    Quart saves the session when the view returns, before a streamed body runs, and
    calls nothing once the response is out: a later change is lost, whatever the back
    end, so it is logged (once) for server-side sessions too.
    """

    def _writing(self, key: object) -> SessionMixin:
        if self.headers_sent and not self._late_write_logged:
            self._late_write_logged = True
            logger.warning(
                "The session was changed (key %r) after Quart saved it (the view had "
                "returned its response); the change is lost. Change the session in the "
                "view, before a streamed body starts.",
                key,
            )
        return super()._writing(key)


# Quart types get_cookie_samesite as str; it is None when the attribute is not set.
class QuartSessionInterface(FlaskStyleInterface, _QuartSessionInterface):  # type: ignore[misc]
    """Quart's session interface, backed by a sessionware :class:`SessionInterface`.

    Its arguments (``config``, ``interface``, settings) are those of
    :class:`~sessionware.interfaces.flask_style.FlaskStyleInterface`: with neither
    ``config`` nor settings, the settings come from the app on each request. An
    :class:`~sessionware.AsyncServerSideSessionInterface` has its store awaited.

    :raises TypeError: as :class:`FlaskStyleInterface`; or the interface would block
        the event loop (a ``ServerSideSessionInterface`` on ``RedisStore``).
    """

    # Quart types this as Flask's NullSession; it only ever calls it with no arguments.
    null_session_class = FlaskNullSession  # type: ignore[assignment]

    def __init__(
        self,
        config: SessionConfig | None = None,
        *,
        interface: SessionInterface | None = None,
        **settings: Any,
    ) -> None:
        super().__init__(config, interface=interface, **settings)
        #: The store calls are coroutines, awaited on the event loop.
        self.awaits_store = awaits_store(self.interface)

    async def open_session(
        self, app: Quart, request: BaseRequestWebsocket
    ) -> _QuartSessionMixin | None:
        """Return the request's (or websocket's) session; ``None`` without a secret key.

        A cookie session is parsed only when the view first touches it. A server-side
        one on an async store is loaded here, awaited, since a dict method cannot
        await. Behind :class:`sessionware.asgi.SessionMiddleware` it is the
        middleware's own session, which the middleware saves.
        """
        config = self.config_for(app)
        session = cast(dict[str, Any], request.scope).get(config.environ_key)
        if isinstance(session, LazySession):
            return cast(_QuartSessionMixin, session)
        if not config.secret_key:
            return None
        session_type = lazy_class(_QuartSession, self.interface)
        session = session_type(self.interface, config, self._environ(request))
        if self.awaits_store:
            await _run_awaiting(session.load)
        # Quart only needs the mapping and the new/modified/accessed/permanent
        # attributes, which every sessionware session has.
        return cast(_QuartSessionMixin, session)

    def _environ(self, request: BaseRequestWebsocket) -> WSGIEnviron:
        """What the back end reads: the cookies, or the whole request if it asks."""
        if self.interface.reads_request:
            return _request_environ(cast(dict[str, Any], request.scope))
        cookies = request.headers.getlist("Cookie")
        return {"HTTP_COOKIE": "; ".join(cookies)} if cookies else {}

    async def save_session(
        self,
        app: Quart,
        session: _QuartSessionMixin,
        response: Response | WerkzeugResponse | None,
    ) -> None:
        """Put the session's ``Set-Cookie`` and ``Vary`` on ``response``.

        Does nothing for a session no view touched, and nothing behind the middleware.
        After a websocket (``response`` is ``None``) no cookie can be set: a server-side
        session that has one keeps the changes in the store; a cookie session's
        changes are lost, and logged.
        """
        if not isinstance(session, _QuartSession):
            return
        interface, config = session._interface, session._config
        session.headers_sent = True
        loaded = session.loaded
        if loaded is None or interface.is_null_session(loaded):
            return
        try:
            if response is None:
                await self._close(config, loaded)
            else:
                headers: list[tuple[str, str]] = []
                if self.awaits_store:
                    await _run_awaiting(interface.save_session, config, loaded, headers)
                else:
                    interface.save_session(config, loaded, headers)
                add_response_headers(response, headers)
        finally:
            interface.release_session(config, loaded)

    async def _close(self, config: SessionConfig, loaded: Any) -> None:
        """Save what a websocket changed, where the back end can without a cookie."""
        interface = self.interface
        if not interface.saves_after_response:
            if loaded.modified:
                logger.warning(
                    "The session was changed during a websocket; a cookie cannot be set "
                    "once it is accepted, so the change is lost. Keep sessions server-side "
                    "(init_app(app, store=...)) to save it."
                )
            return
        if self.awaits_store:
            await _run_awaiting(interface.close_session, config, loaded)
        else:
            interface.close_session(config, loaded)


async def _run_awaiting(function: Any, *args: Any) -> Any:
    # Imported on first use: only async stores need greenlet.
    from sessionware.serverside.awaiting import run_awaiting

    return await run_awaiting(function, *args)


def init_app(
    app: Quart,
    config: SessionConfig | None = None,
    *,
    interface: SessionInterface | None = None,
    store: str | Store | AsyncStore | None = None,
    **settings: Any,
) -> QuartSessionInterface:
    """Make sessionware Quart's session, configured from the app as Flask's is.

    Arguments are those of :class:`QuartSessionInterface`, and ``store``: keep sessions
    server-side, in a store given as a URL (``"redis://127.0.0.1:6379/0"``,
    ``"sqlite:///sessions.sqlite3"``, ``"memory://"``; see
    :func:`~sessionware.stores.async_store_from_url`) or as a store object, an
    :class:`~sessionware.stores.AsyncStore` or a :class:`~sessionware.stores.MemoryStore`.
    The settings are checked now, so a bad ``app.config`` fails at start-up; later
    changes take effect on the next request. Returns the interface, also found at
    ``app.session_interface`` and ``app.extensions["sessionware"]``.

    :raises TypeError: both ``store`` and ``interface``, or a store whose calls would
        block the event loop (``RedisStore``, ``SQLStore``: use their async twins).
    """
    if store is not None:
        if interface is not None:
            raise TypeError("pass either store= or interface=, not both.")
        interface = store_interface(store)
    bridge = QuartSessionInterface(config, interface=interface, **settings)
    install(app, bridge, _QuartCookieInterface)
    return bridge
