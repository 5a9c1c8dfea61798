"""The Litestar middleware: sessionware's ASGI middleware, once per route, around Litestar's."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, cast

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

from sessionware.asgi import SessionMiddleware as ASGISessionMiddleware
from sessionware.config.settings import SessionConfig

from ._handback import HandBack

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Receive, Scope, Send

    from sessionware.interfaces.base import SessionInterface

__all__ = ["SessionMiddleware"]

#: Where Litestar's ``request.session`` looks.
SCOPE_KEY = "session"


async def _no_app(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
    raise RuntimeError("sessionware.litestar.SessionMiddleware was called without an app")


class SessionMiddleware(ASGIMiddleware):
    """Gives Litestar's ``request.session`` (and ``websocket.session``) a sessionware session.

    ::

        app = Litestar(route_handlers=[...], middleware=[SessionMiddleware(secret_key=KEY)])

    It is :class:`sessionware.asgi.SessionMiddleware` (the same cookie, which Flask, Starlette
    and sessionware's WSGI middleware read and write, the same interfaces and stores) with
    Litestar's own session calls handled: ``request.set_session({...})`` replaces the
    session's data and ``request.clear_session()`` ends the session (its cookie is deleted).
    The session is opened before the handler runs, as Litestar's own session middleware
    does, and every response carries ``Vary: Cookie``: Litestar's encoder reads the data of
    a returned ``request.session`` unseen. A handler that does not change the session sends
    no cookie, unless the session is permanent with ``refresh_each_request`` (its expiry
    slides forward). Routes whose handlers have ``opt={exclude_opt_key: True}`` get no
    session at all.

    A response Litestar makes from an exception the handler raised (an ``HTTPException``, or
    a 500) is a response like any other: Litestar turns the exception into it inside the
    route, so the changes made before the exception are saved into it.

    :param config: a :class:`~sessionware.SessionConfig`; or pass its settings as keyword
        arguments instead. With neither, the settings come from the ``SESSIONWARE_*``
        environment variables, read once, here.
    :param interface: the session back end; by default a
        :class:`~sessionware.SecureCookieSessionInterface`. Server-side sessions on an async
        store take :class:`~sessionware.asgi.AsyncServerSideSessionInterface`.
    :param exclude_opt_key: a key of a route handler's ``opt`` that, set to a true value,
        skips the middleware on that route (health checks, static files).
    :raises ValueError: when the config's ``environ_key`` is not ``"session"``, the only
        place Litestar's ``request.session`` reads.
    """

    scopes = (ScopeType.HTTP, ScopeType.WEBSOCKET)

    def __init__(
        self,
        config: SessionConfig | None = None,
        *,
        interface: SessionInterface | None = None,
        exclude_opt_key: str | None = None,
        **settings: Any,
    ) -> None:
        self.exclude_opt_key = exclude_opt_key
        if config is None and settings:
            # sessionware's settings, never the Starlette keyword mode of the ASGI middleware.
            config, settings = SessionConfig(**settings), {}
        core = ASGISessionMiddleware(_no_app, config, interface=interface, **settings)
        if core.config.environ_key != SCOPE_KEY:
            raise ValueError(
                f"environ_key={core.config.environ_key!r}: Litestar's request.session reads "
                f"scope[{SCOPE_KEY!r}]; leave environ_key at its default."
            )
        self._core = core
        #: Each route's ASGI middleware, by the id of the route's app it wraps.
        self._routes: dict[int, ASGISessionMiddleware] = {}

    @property
    def config(self) -> SessionConfig:
        """The settings every route's session uses."""
        return self._core.config

    @property
    def interface(self) -> SessionInterface:
        """The session back end every route's session uses."""
        return self._core.interface

    def __repr__(self) -> str:
        return f"<litestar SessionMiddleware {type(self.interface).__name__}>"

    def __call__(self, app: ASGIApp) -> ASGIApp:
        """Wrap one route's app (Litestar builds each route's middleware stack once)."""
        # A shallow copy of the middleware built (and checked) in __init__: every route
        # shares its config and interface, and the no-key warning is logged once. It keeps
        # ``app`` alive, so the app's id names it for as long as the route exists.
        core = copy.copy(self._core)
        core.app = HandBack(cast("Any", app), SCOPE_KEY)
        self._routes[id(app)] = core
        # Litestar's base class calls handle() with ``app``, or ``app`` alone on a route
        # that opted out.
        return super().__call__(app)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        """Run the route's app inside sessionware's ASGI middleware."""
        await self._routes[id(next_app)](cast("Any", scope), receive, send)  # type: ignore[arg-type]
