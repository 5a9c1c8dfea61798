"""The example app with and without the middleware, for ``make load`` under gunicorn.

``wrapped`` is ``examples/plain_app.py``'s app as servers load it. ``bare`` runs the
same handler with a plain dict for a session: the same page, nothing read from or
written to a cookie.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from examples.plain_app import app as wrapped
from examples.plain_app import demo_app

__all__ = ["bare", "wrapped"]


def bare(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """The example without sessionware: a fresh dict stands in for the session."""
    environ["session"] = {}
    return demo_app(environ, start_response)
