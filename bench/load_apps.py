"""The apps of ``make load`` under gunicorn, each with and without the middleware.

``wrapped`` is ``examples/plain_app.py``'s app as servers load it (a visit counter: a
write per request). ``bare`` runs the same handler with a plain dict for a session: the
same page, nothing read from or written to a cookie. ``reader`` and ``reader_bare`` are
the same pair for an app that only reads its session (issue 17's ``make load`` row).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from examples.plain_app import app as wrapped
from examples.plain_app import demo_app, load_config
from sessionware import SessionMiddleware

__all__ = ["bare", "reader", "reader_bare", "wrapped"]


def bare(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """The example without sessionware: a fresh dict stands in for the session."""
    environ["session"] = {}
    return demo_app(environ, start_response)


def _reader_app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Greets the session's user: a read per request once the first one logged in."""
    session = environ["session"]
    user = session.get("user")
    if user is None:
        # The first request (the load run's cookie fetch) logs in; wrk replays that cookie.
        session["user"] = user = "alice"
    body = f"Hello, {user}.\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [body]


def reader_bare(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """The reader without sessionware: a dict with the user stands in for the session."""
    environ["session"] = {"user": "alice"}
    return _reader_app(environ, start_response)


reader = SessionMiddleware(_reader_app, config=load_config())
