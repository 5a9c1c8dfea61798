"""A visit counter as a raw ASGI app: bare, under sessionware.asgi, under Starlette's middleware.

Each request reads the session's ``visits``, adds one and answers the count: a read
and a write of the session per request, as ``make load``'s WSGI example does.
"""

from __future__ import annotations

import os
from typing import Any

from starlette.middleware.sessions import SessionMiddleware as StarletteSessionMiddleware

from sessionware.asgi import SessionMiddleware

__all__ = ["bare", "sessionware", "starlette"]

SECRET = os.environ.get("SESSIONWARE_SECRET_KEY", "")


async def counter(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Count the visit in ``scope["session"]`` and answer the count."""
    if scope["type"] != "http":
        return
    session = scope["session"]
    session["visits"] = visits = session.get("visits", 0) + 1
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain; charset=utf-8")],
        }
    )
    await send({"type": "http.response.body", "body": b"Visits: %d\n" % visits})


async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The counter without sessions: a fresh dict stands in for the session."""
    scope["session"] = {}
    await counter(scope, receive, send)


sessionware = SessionMiddleware(counter, secret_key=SECRET)  # type: ignore[arg-type]
starlette = StarletteSessionMiddleware(counter, secret_key=SECRET)  # type: ignore[arg-type]
