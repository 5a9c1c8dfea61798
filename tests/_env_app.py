"""A visit counter run in its own process, to see which settings the middleware took.

``python -m tests._env_app KIND SETTINGS [COOKIE]`` builds ``SessionMiddleware(app,
**SETTINGS)`` (``KIND`` is ``wsgi`` or ``asgi``; ``SETTINGS`` is JSON, and its
``"interface": "encrypted"`` entry means ``interface=EncryptedCookieSessionInterface()``)
in the environment it was started with, sends one request carrying the ``Cookie``
header ``COOKIE`` and prints ``{"body": ..., "cookies": {name: value}}`` as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Iterable
from typing import Any

from sessionware import EncryptedCookieSessionInterface, SessionInterface
from sessionware.asgi import SessionMiddleware as ASGISessionMiddleware
from sessionware.asgi.middleware import Message, Receive, Scope, Send
from sessionware.interfaces.base import WSGIEnviron
from sessionware.wsgi.middleware import SessionMiddleware, StartResponse


def wsgi_counter(environ: WSGIEnviron, start_response: StartResponse) -> Iterable[bytes]:
    session = environ["session"]
    session["count"] = session.get("count", 0) + 1
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(session["count"]).encode()]


async def asgi_counter(scope: Scope, receive: Receive, send: Send) -> None:
    session = scope["session"]
    session["count"] = session.get("count", 0) + 1
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": str(session["count"]).encode()})


def cookies(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    found = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            found[key] = rest.split(";", 1)[0]
    return found


def run_wsgi(settings: dict[str, Any], cookie: str) -> dict[str, Any]:
    app = SessionMiddleware(wsgi_counter, **settings)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "HTTP_COOKIE": cookie,
    }
    sent: list[tuple[str, str]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        sent.extend(headers)
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return {"body": body.decode(), "cookies": cookies(sent)}


def run_asgi(settings: dict[str, Any], cookie: str) -> dict[str, Any]:
    app = ASGISessionMiddleware(asgi_counter, **settings)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), (b"cookie", cookie.encode("latin-1"))],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    messages: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        messages.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in messages if m["type"] == "http.response.start")
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in start["headers"]]
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return {"body": body.decode(), "cookies": cookies(headers)}


def main(argv: list[str]) -> None:
    kind, raw = argv[0], argv[1]
    cookie = argv[2] if len(argv) > 2 else ""
    settings: dict[str, Any] = json.loads(raw)
    if settings.pop("interface", None) == "encrypted":
        interface: SessionInterface = EncryptedCookieSessionInterface()
        settings["interface"] = interface
    run = run_wsgi if kind == "wsgi" else run_asgi
    print(json.dumps(run(settings, cookie)))


if __name__ == "__main__":
    main(sys.argv[1:])
