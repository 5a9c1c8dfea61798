"""Session metrics an operator can scrape: sessionware's events as Prometheus counters.

Run it with ``python examples/metrics.py`` (``pip install prometheus-client``), open
http://127.0.0.1:8000/ and scrape http://127.0.0.1:8000/metrics. The app keeps sessions
in a :class:`~sessionware.stores.MemoryStore`; ``/login`` logs ``ada`` in (a new session
ID), ``/logout-everywhere`` revokes all of her sessions.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Sequence
from typing import Any
from wsgiref.simple_server import make_server

from prometheus_client import CollectorRegistry, Counter, make_wsgi_app
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from sessionware import ServerSideSessionInterface, SessionMiddleware, events
from sessionware.stores import MemoryStore, Store
from sessionware.wsgi.middleware import StartResponse, WSGIApp


class SessionMetrics:
    """Prometheus counters fed by :mod:`sessionware.events`.

    Counters are per process (each worker of a multi-process server keeps its own, as
    prometheus_client does). Refusals are labelled by reason, a fixed set; store errors
    are not labelled by their message, which would make a series per message.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        def counter(name: str, doc: str, labels: Sequence[str] = ()) -> Counter:
            return Counter(f"sessionware_{name}", doc, labels, registry=registry)

        self.created = counter("sessions_created", "New sessions first saved.")
        self.refused = counter(
            "sessions_refused", "Session cookies not accepted, by reason.", ["reason"]
        )
        self.rotated = counter("sessions_rotated", "Old-key cookies re-issued under the new key.")
        self.regenerated = counter("sessions_regenerated", "Session IDs regenerated (logins).")
        self.revoked = counter("sessions_revoked", "Sessions ended by revocation.")
        self.store_errors = counter("store_errors", "Failed reads and writes of the store.")
        for reason in events.REFUSAL_REASONS:
            self.refused.labels(reason=reason)  # every reason shows, at 0 until it happens

    def __call__(self, event: events.SessionEvent) -> None:
        """Count ``event`` (pass this object to :func:`sessionware.events.subscribe`)."""
        if event.name == "refused":
            self.refused.labels(reason=event.reason or "unknown").inc()
        elif event.name == "revoked":
            self.revoked.inc(event.count if event.count is not None else 1)
        elif event.name == "store_error":
            self.store_errors.inc()
        else:
            getattr(self, event.name).inc()


def make_app(
    store: Store,
    registry: CollectorRegistry,
    *,
    secret_key: str,
    secret_key_fallbacks: Sequence[str] = (),
) -> WSGIApp:
    """The session app, with prometheus_client's ``/metrics`` app mounted beside it."""
    interface = ServerSideSessionInterface(store, user_key="user_id")

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        session = environ["session"]
        path = environ.get("PATH_INFO", "/")
        if path == "/login":
            session["user_id"] = "ada"
            session.regenerate()
        elif path == "/logout-everywhere":
            interface.revoke("ada")
        else:
            session["visits"] = session.get("visits", 0) + 1
        body = f"visits: {session.get('visits', 0)}\n".encode()
        start_response(
            "200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))]
        )
        return [body]

    sessions = SessionMiddleware(
        app,
        secret_key=secret_key,
        secret_key_fallbacks=tuple(secret_key_fallbacks),
        interface=interface,
    )
    return DispatcherMiddleware(sessions, {"/metrics": make_wsgi_app(registry)})


if __name__ == "__main__":
    registry = CollectorRegistry()
    events.subscribe(SessionMetrics(registry))
    key = os.environ.get("SESSIONWARE_SECRET_KEY") or secrets.token_hex(32)
    with make_server("127.0.0.1", 8000, make_app(MemoryStore(), registry, secret_key=key)) as srv:
        print("Serving on http://127.0.0.1:8000 (metrics on /metrics)")
        srv.serve_forever()
