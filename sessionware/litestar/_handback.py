"""Litestar replaces ``scope["session"]``; sessionware's middleware saves the object it put there.

``request.set_session(value)`` stores ``value`` in the scope and ``request.clear_session()``
stores Litestar's ``Empty``, where Starlette's apps change the session in place. The app
below sits between sessionware's ASGI middleware and Litestar's handler: whenever the
handler sends a message (and when it returns), whatever it put in the scope is applied to
the session and the session is put back, so the middleware saves what the handler meant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar.serialization import decode_json, encode_json
from litestar.types import Empty
from litestar.utils.scope import get_serializer_from_scope

from sessionware.asgi import ASGISession
from sessionware.asgi.middleware import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HandBack", "take_back"]


class HandBack:
    """The ASGI app sessionware's middleware wraps: Litestar's next app, with the session
    opened before it runs and taken back from the scope before each message goes out.

    The session is opened first, as Litestar's own session middleware loads it, because
    Litestar encodes a handler's return value with msgspec, which reads a dict's storage
    without calling its methods: ``return request.session`` must find the data there.
    Such a read is not seen, so every response counts as one that read the session and
    carries ``Vary: Cookie`` (a shared cache must not hand one browser's page to another).

    :param app: Litestar's next ASGI app (the route's handler and inner middleware).
    :param key: the scope key of the session (``"session"``, where Litestar looks).
    """

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app = app
        self.key = key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        session = scope.get(self.key)
        if not isinstance(session, ASGISession):  # pragma: no cover - the middleware set it
            await self.app(scope, receive, send)
            return
        session.load().accessed = True
        key = self.key

        async def taking_back(message: Message) -> None:
            take_back(scope, key, session)
            await send(message)

        try:
            await self.app(scope, receive, taking_back)
        finally:
            take_back(scope, key, session)


def take_back(scope: Scope, key: str, session: ASGISession) -> None:
    """Put ``session`` back at ``scope[key]``, first applying what the handler put there.

    ``Empty`` (``request.clear_session()``) invalidates the session: its data is dropped
    and the cookie deleted (a server-side record too). A mapping or a data model
    (``request.set_session(...)``) replaces the session's data; a model is turned into
    plain values with the app's serializer, as Litestar's own session backends do.

    :raises TypeError: when the handler set something that is not a mapping once encoded.
    """
    current = scope.get(key, Empty)
    if current is session:
        return
    scope[key] = session
    if current is Empty or current is None:
        session.invalidate()
        return
    data = current if isinstance(current, Mapping) else _plain(scope, current)
    if session != data:
        session.clear()
        session.update(data)


def _plain(scope: Scope, value: Any) -> Mapping[str, Any]:
    """A data model (dataclass, msgspec Struct, pydantic model...) as a plain dict."""
    serializer = get_serializer_from_scope(scope)  # type: ignore[arg-type]
    data = decode_json(encode_json(value, serializer))
    if not isinstance(data, dict):
        raise TypeError(
            f"request.set_session() was given a {type(value).__name__}, which encodes to "
            f"a {type(data).__name__}; pass a dict or a model with fields."
        )
    return data
