"""The ASGI rows: sessionware.asgi against Starlette's SessionMiddleware, same scenarios.

Each request is one coroutine driven to completion with ``send(None)``: the apps, the
middlewares and the ``receive``/``send`` below never wait on anything, so no event
loop is needed, and none is measured. Costs are above a bare ASGI app driven the same
way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyperf
from starlette.middleware.sessions import SessionMiddleware as StarletteMiddleware
from starsessions import CookieStore
from starsessions import SessionMiddleware as StarsessionsMiddleware

from sessionware import SessionConfig
from sessionware.asgi import SessionMiddleware

from . import floor
from .common import DATA, OTHER_COOKIES, SECRET
from .contestants import HANDLERS

__all__ = ["ASGI_CONTESTANTS", "ASGI_SCENARIOS", "AsgiCase", "asgi_cases", "time_asgi"]

ASGI_SCENARIOS = ("untouched", "read", "write", "new")
ASGI_CONTESTANTS = (
    "asgi-bare",
    "asgi-floor",
    "sessionware-asgi",
    "sessionware-asgi-starlette",
    "starlette",
    "starsessions",
)

Scope = dict[str, Any]
# Loosely typed: the contestants' own ASGI types differ, and the driver calls send(None).
App = Callable[..., Any]

_CONTENT_TYPE = (b"content-type", b"text/plain")
_REQUEST = {"type": "http.request", "body": b"", "more_body": False}


async def _receive() -> dict[str, Any]:
    return _REQUEST


async def _send(message: Any) -> None:
    return None


def _app(handler: Callable[[Any], bytes] | None, *, loads: bool = False) -> App:
    """The raw ASGI app of a scenario; ``loads``: it loads starsessions' session first."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if loads and handler is not None:
            # What starsessions.load_session(request) does, minus the Request object a
            # Starlette endpoint would already have.
            await scope["session_handler"].load()
        body = b"hello" if handler is None else handler(scope["session"])
        # A new message each time: Starlette's middleware appends to its headers list.
        await send({"type": "http.response.start", "status": 200, "headers": [_CONTENT_TYPE]})
        await send({"type": "http.response.body", "body": body})

    return app


def _scope(cookie: str | None) -> Scope:
    headers = [(b"host", b"bench"), (b"user-agent", b"bench/1.0"), (b"accept", b"text/html")]
    if cookie is not None:
        headers.append((b"cookie", f"{OTHER_COOKIES[0]}; {cookie}; {OTHER_COOKIES[1]}".encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


def _drive(app: App, scope: Scope, send: Any = _send) -> None:
    coroutine = app(scope, _receive, send)
    try:
        coroutine.send(None)
    except StopIteration:
        return
    coroutine.close()
    raise RuntimeError("the ASGI app waited on something; the benchmark needs it not to")


def run_asgi_once(app: App, scope: Scope) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """Serve one request; return the response headers and body (for checks)."""
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    _drive(app, dict(scope), send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return list(start.get("headers", [])), body


def time_asgi(loops: int, app: App, scope: Scope) -> float:
    """pyperf time function: serve ``loops`` requests, each a fresh copy of ``scope``."""
    copy = scope.copy
    receive, send = _receive, _send
    timer: Callable[[], float] = pyperf.perf_counter
    started = timer()
    for _ in range(loops):
        coroutine = app(copy(), receive, send)
        try:  # noqa: SIM105 - contextlib.suppress would cost more than what is timed
            coroutine.send(None)
        except StopIteration:
            pass
    return timer() - started


@dataclass(frozen=True)
class AsgiCase:
    """One ASGI app to time, with the scope it gets."""

    app: App
    scope: Scope


def _sessionware(handler: Callable[[Any], bytes] | None) -> App:
    # Like for like with the WSGI rows: the same SessionConfig, browser-session cookies.
    return SessionMiddleware(_app(handler), config=SessionConfig(secret_key=SECRET))


def _sessionware_starlette(handler: Callable[[Any], bytes] | None) -> App:
    # Starlette's keywords: what a one-import switch gets (14-day permanent cookies).
    return SessionMiddleware(_app(handler), secret_key=SECRET)


def _floor(scenario: str) -> App:
    """The least work an ASGI app with a signed session cookie can do, all inline.

    The WSGI floor's codec (one HMAC, base64 JSON, no zlib) on the scope's headers;
    untouched is the bare app itself.
    """
    if scenario == "untouched":
        return _app(None)
    handler = HANDLERS[scenario]
    saves = scenario in ("write", "new")

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        header = b""
        for name, value in scope["headers"]:
            if name == b"cookie":
                header = value
        session = floor.load_header(header.decode("latin-1"))
        body = handler(session)
        headers = [_CONTENT_TYPE, (b"vary", b"Cookie")]
        if saves:
            cookie = f"session={floor.dump(session)}{floor.ATTRIBUTES}"
            headers.append((b"set-cookie", cookie.encode("latin-1")))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def _starlette(handler: Callable[[Any], bytes] | None) -> App:
    return StarletteMiddleware(_app(handler), secret_key=SECRET)


def _starsessions(handler: Callable[[Any], bytes] | None) -> App:
    # A browser-session cookie (lifetime 0) over plain HTTP, as the other rows send.
    store = CookieStore(secret_key=SECRET)
    app = _app(handler, loads=True)
    return StarsessionsMiddleware(app, store=store, cookie_https_only=False)


def _login_cookie(build: Callable[[Callable[[Any], bytes] | None], App]) -> str:
    headers, _ = run_asgi_once(build(HANDLERS["new"]), _scope(None))
    for name, value in headers:
        if name.lower() == b"set-cookie":
            return value.decode("latin-1").split(";", 1)[0]
    raise RuntimeError("the login request set no cookie")


def asgi_cases() -> dict[str, dict[str, AsgiCase]]:
    """``{scenario: {contestant: case}}``, each checked to do what it claims."""
    builders = {
        "sessionware-asgi": _sessionware,
        "sessionware-asgi-starlette": _sessionware_starlette,
        "starlette": _starlette,
        "starsessions": _starsessions,
    }
    cookies = {name: _login_cookie(build) for name, build in builders.items()}
    cookies["asgi-floor"] = floor.login_cookie(permanent=False)
    cases: dict[str, dict[str, AsgiCase]] = {}
    for scenario in ASGI_SCENARIOS:
        handler = None if scenario == "untouched" else HANDLERS[scenario]

        def scope(who: str, scenario: str = scenario) -> Scope:
            return _scope(None if scenario == "new" else cookies[who])

        cases[scenario] = {
            "asgi-bare": AsgiCase(_app(None), scope("sessionware-asgi")),
            "asgi-floor": AsgiCase(_floor(scenario), scope("asgi-floor")),
            **{name: AsgiCase(build(handler), scope(name)) for name, build in builders.items()},
        }
        for name, case in cases[scenario].items():
            _check(scenario, name, case)
    return cases


def _check(scenario: str, name: str, case: AsgiCase) -> None:
    """Fail loudly if an app does not do the scenario's work."""
    headers, body = run_asgi_once(case.app, case.scope)
    cookies = [v for k, v in headers if k == b"set-cookie"]
    expected_cookie = name != "asgi-bare" and scenario in ("write", "new")
    if name == "starsessions" and scenario == "read":
        # starsessions re-sends every session it loaded that is not empty, read or not.
        expected_cookie = True
    if bool(cookies) != expected_cookie:
        raise RuntimeError(f"{scenario}/{name}: Set-Cookie {cookies!r}, expected {expected_cookie}")
    if scenario == "read" and name != "asgi-bare" and body != b"hello %d" % DATA["user_id"]:
        raise RuntimeError(f"{scenario}/{name} read {body!r}, not the user id")
