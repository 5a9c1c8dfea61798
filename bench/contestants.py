"""The apps under test: one WSGI app per contestant and scenario.

Every scenario app does the same session work in its library's idiom: nothing
(untouched), read ``user_id`` (read), replace ``flash`` (write), store the five keys
of :data:`~bench.common.DATA` with no cookie sent (new), and read ``user_id`` of a
permanent session whose cookie is re-issued with a fresh expiry (permanent).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import flask
from beaker.middleware import SessionMiddleware as BeakerMiddleware
from flask.sessions import SecureCookieSession, SessionInterface

from sessionware import EncryptedCookieSessionInterface, Key, KeyRing, SessionMiddleware
from sessionware.flask.bridge import init_app

from . import floor
from .common import DATA, SECRET, Environ, WSGIApp, cookie_environ, run_once

__all__ = ["SCENARIOS", "Case", "build_cases"]

SCENARIOS = ("untouched", "read", "write", "new", "permanent")

Handler = Callable[[Any], bytes]


def _untouched(session: Any) -> bytes:
    return b"hello"


def _read(session: Any) -> bytes:
    return b"hello %d" % (session.get("user_id") or 0)


def _write(session: Any) -> bytes:
    session["flash"] = "Saved."
    return b"hello"


def _new(session: Any) -> bytes:
    for key, value in DATA.items():
        session[key] = value
    return b"hello"


HANDLERS: dict[str, Handler] = {
    "untouched": _untouched,
    "read": _read,
    "write": _write,
    "new": _new,
    "permanent": _read,
}


def bare(environ: Environ, start_response: Any) -> Iterable[bytes]:
    """The app without sessions: every contestant's time is measured above it."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def _environ_app(key: str, handler: Handler, save: bool = False) -> WSGIApp:
    def app(environ: Environ, start_response: Any) -> Iterable[bytes]:
        session = environ[key]
        body = handler(session)
        if save:
            session.save()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]

    return app


# sessionware ---------------------------------------------------------------------


def _sessionware(scenario: str) -> WSGIApp:
    return SessionMiddleware(_environ_app("session", HANDLERS[scenario]), secret_key=SECRET)


def _sessionware_login(permanent: bool) -> WSGIApp:
    def login(session: Any) -> bytes:
        _new(session)
        session.permanent = permanent
        return b"hello"

    return SessionMiddleware(_environ_app("session", login), secret_key=SECRET)


# sessionware, encrypted (AES-256-GCM on a key ring) ------------------------------

#: One key, active since the epoch: the ring lookup is part of what is measured.
RING = KeyRing([Key("bench", "5e" * 32, 0)])


def _encrypted(handler: Handler) -> WSGIApp:
    return SessionMiddleware(
        _environ_app("session", handler),
        keyring=RING,
        interface=EncryptedCookieSessionInterface(),
    )


def _encrypted_login(permanent: bool) -> WSGIApp:
    def login(session: Any) -> bytes:
        _new(session)
        session.permanent = permanent
        return b"hello"

    return _encrypted(login)


# Flask ---------------------------------------------------------------------------


class NoopSessionInterface(SessionInterface):
    """Hands every request an empty session and saves nothing: Flask's baseline."""

    def open_session(self, app: flask.Flask, request: Any) -> SecureCookieSession:
        return SecureCookieSession()

    def save_session(self, app: flask.Flask, session: Any, response: Any) -> None:
        return None


def _flask(
    handler: Handler, *, noop: bool = False, permanent: bool = False, sessionware: bool = False
) -> WSGIApp:
    """The Flask app; ``sessionware=True`` is the same app after ``init_app(app)``."""
    app = flask.Flask("bench")
    app.config.update(SECRET_KEY=SECRET, SESSION_COOKIE_SAMESITE="Lax")
    if noop:
        app.session_interface = NoopSessionInterface()
    if sessionware:
        # Configured from the same app.config, so it reads and writes Flask's cookie.
        init_app(app)

    @app.route("/")
    def index() -> bytes:
        body = handler(flask.session)
        if permanent:
            flask.session.permanent = True
        return body

    return app


# Beaker --------------------------------------------------------------------------


def _beaker(handler: Handler, *, permanent: bool = False) -> WSGIApp:
    writes = handler in (_write, _new)
    options: dict[str, Any] = {
        "type": "cookie",
        "validate_key": SECRET,
        "data_serializer": "json",
        "key": "session",
        "httponly": True,
        "samesite": "Lax",
    }
    if permanent:
        # Beaker's nearest: a dated cookie re-sent with a new access time on each use.
        options.update(cookie_expires=timedelta(days=31), save_accessed_time=True)
    else:
        options.update(save_accessed_time=False)
    app: WSGIApp = BeakerMiddleware(_environ_app("beaker.session", handler, writes), **options)
    return app


# All together --------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One app to time, with the request it gets."""

    app: WSGIApp
    environ: Environ


def _cookie_from(app: WSGIApp) -> str:
    status, headers, _ = run_once(app, cookie_environ(None))
    for name, value in headers:
        if name.lower() == "set-cookie":
            return value.split(";", 1)[0]
    raise RuntimeError(f"the login request set no cookie ({status}, {headers})")


def build_cases() -> dict[str, dict[str, Case]]:
    """``{scenario: {contestant: case}}``, each checked to do what it claims."""
    cookies = {
        ("sessionware", False): _cookie_from(_sessionware_login(False)),
        ("sessionware", True): _cookie_from(_sessionware_login(True)),
        ("encrypted", False): _cookie_from(_encrypted_login(False)),
        ("encrypted", True): _cookie_from(_encrypted_login(True)),
        ("flask", False): _cookie_from(_flask(_new)),
        ("flask", True): _cookie_from(_flask(_new, permanent=True)),
        ("beaker", False): _cookie_from(_beaker(_new)),
        ("beaker", True): _cookie_from(_beaker(_new, permanent=True)),
        ("floor", False): floor.login_cookie(False),
        ("floor", True): floor.login_cookie(True),
    }
    floors = floor.floor_apps(bare)
    cases: dict[str, dict[str, Case]] = {}
    for scenario in SCENARIOS:
        permanent = scenario == "permanent"
        handler = HANDLERS[scenario]

        def env(who: str, permanent: bool = permanent, scenario: str = scenario) -> Environ:
            return cookie_environ(None if scenario == "new" else cookies[who, permanent])

        cases[scenario] = {
            "bare": Case(bare, env("floor")),
            "floor": Case(floors[scenario], env("floor")),
            "sessionware": Case(_sessionware(scenario), env("sessionware")),
            "encrypted": Case(_encrypted(handler), env("encrypted")),
            "flask": Case(_flask(handler), env("flask")),
            "flask-noop": Case(_flask(handler, noop=True), env("flask")),
            "flask-sessionware": Case(_flask(handler, sessionware=True), env("flask")),
            "beaker": Case(_beaker(handler, permanent=permanent), env("beaker")),
        }
        for name, case in cases[scenario].items():
            _check(scenario, name, case)
    return cases


def _check(scenario: str, name: str, case: Case) -> None:
    """Fail loudly if an app does not do the scenario's work (a benchmark of nothing)."""
    status, headers, body = run_once(case.app, case.environ)
    if status != "200 OK":
        raise RuntimeError(f"{scenario}/{name}: {status}")
    sets_cookie = any(name.lower() == "set-cookie" for name, _ in headers)
    if name in ("bare", "flask-noop"):
        return
    if scenario in ("read", "permanent") and body != b"hello 4242":
        raise RuntimeError(f"{scenario}/{name}: the cookie was not read ({body!r})")
    wants_cookie = scenario in ("write", "new", "permanent")
    if name == "beaker" and scenario == "read":
        # Beaker re-creates the cookie whenever it loads one, even for a read.
        wants_cookie = True
    if sets_cookie != wants_cookie:
        raise RuntimeError(f"{scenario}/{name}: Set-Cookie {sets_cookie}, wanted {wants_cookie}")
