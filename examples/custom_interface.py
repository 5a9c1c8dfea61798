"""A custom SessionInterface: session data in a server-side dict, its ID in a signed cookie.

The data lives in this process only and is lost when it stops: a sketch of the two
methods a back end implements (see ``sessionware.stores`` for real ones). Run it with
``python examples/custom_interface.py`` (http://127.0.0.1:8000).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterable
from typing import Any
from wsgiref.simple_server import make_server

from itsdangerous import BadSignature, TimestampSigner

from sessionware import SecureCookieSession, SessionConfig, SessionInterface, SessionMiddleware
from sessionware.sessions import SessionMixin
from sessionware.wsgi.middleware import StartResponse


class MemorySession(SecureCookieSession):
    """A session that knows its ID; :meth:`regenerate` moves the data to a new one."""

    sid = ""
    old_sid = ""

    def regenerate(self) -> None:
        """Swap the ID at login, so an ID planted by an attacker before is worthless."""
        self.old_sid, self.sid, self.modified = self.sid, secrets.token_urlsafe(32), True


class MemorySessionInterface(SessionInterface):
    """Keeps each session's data in a dict in this process, under a random ID."""

    session_class = MemorySession

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def signer(self, config: SessionConfig) -> TimestampSigner:
        """Signs the ID with the app's key, so that no ID this server did not issue is used."""
        return TimestampSigner(config.secret_key or b"", salt="memory-session")

    def open_session(self, config: SessionConfig, environ: dict[str, Any]) -> MemorySession | None:
        """Look up the data of the ID in the cookie; a new ID when there is none."""
        if not config.secret_key:
            return None
        cookie, data = self.read_cookie(config, environ), None
        try:
            sid = self.signer(config).unsign(cookie, config.lifetime_seconds) if cookie else b""
        except BadSignature:
            sid = b""  # tampered or expired: start afresh, never adopt the ID
        with self.lock:
            data = self.store.get(sid.decode())
        session = MemorySession(data, new=data is None)
        session.sid = sid.decode() if data is not None else secrets.token_urlsafe(32)
        return session

    def save_session(
        self, config: SessionConfig, session: SessionMixin, headers: list[tuple[str, str]]
    ) -> None:
        """Store the data (or drop it once emptied) and send the signed ID if it changed."""
        if not isinstance(session, MemorySession) or not session.accessed:
            return
        self.add_vary_cookie(headers)
        with self.lock:
            self.store.pop(session.old_sid, None)
            if session.data:  # the whole dict: in-place changes are kept too
                self.store[session.sid] = dict(session.data)
            else:
                self.store.pop(session.sid, None)
        if not session.data:
            if session.modified and not session.new:
                self.delete_cookie(config, headers)
        elif session.new or session.old_sid or self.should_set_cookie(config, session):
            signed = self.signer(config).sign(session.sid).decode("ascii")
            self.set_cookie(config, session, headers, signed)


def counter(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Counts visits; ``/login`` renews the session's ID, ``/logout`` ends the session."""
    session = environ["session"]
    path = environ.get("PATH_INFO")
    if path == "/login":
        session.regenerate()
        session["user"] = "demo"
        body = b"Logged in.\n"
    elif path == "/logout":
        session.invalidate()
        body = b"Logged out.\n"
    else:
        session["visits"] = session.get("visits", 0) + 1
        body = f"Visits: {session['visits']}\n".encode()
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [body]


# The data dies with the process, so a key made here loses nothing a fixed one would keep.
app = SessionMiddleware(
    counter, secret_key=secrets.token_hex(32), interface=MemorySessionInterface()
)

if __name__ == "__main__":
    with make_server("127.0.0.1", 8000, app) as server:
        server.serve_forever()
