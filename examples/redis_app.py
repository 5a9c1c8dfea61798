"""The visit counter and login/logout app, with its sessions kept in Redis.

Run it with ``python examples/redis_app.py`` and open http://127.0.0.1:8000, or under
several workers: ``gunicorn --workers 4 --threads 4 examples.redis_app:app``. Every
worker reads the same sessions, and the cookie holds only a signed session ID.

``REDIS_URL`` says where Redis is (default ``redis://127.0.0.1:6379/0``); the session
settings come from ``SESSIONWARE_*`` variables. Set ``SESSIONWARE_SECRET_KEY`` to the
same value in every process: without it a random key is made for this process only.
While Redis is down, pages still render, for an anonymous visitor (the
``on_store_error="null"`` policy); nothing stored is lost or overwritten.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import html
import os
import secrets
import sys
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import make_server

from sessionware import (
    STORE_ERROR_KEY,
    ServerSideSessionInterface,
    SessionConfig,
    SessionMiddleware,
)
from sessionware.stores.redis import RedisStore
from sessionware.wsgi.middleware import StartResponse

PAGE = """<!doctype html>
<title>sessionware on Redis</title>
<p>Hello, {name}. Visits: {visits}. (Served by process {pid}.)</p>
{form}
"""
LOGIN = """<form method="post" action="/login">
<input name="username" placeholder="user name" required> <button>Log in</button>
</form>"""
LOGOUT = """<form method="post" action="/logout"><button>Log out</button></form>"""
DOWN = "<p>Sessions are unavailable right now; you are browsing anonymously.</p>"


def _form(environ: dict[str, Any]) -> dict[str, str]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(min(length, 4096)) if length > 0 else b""
    return {name: values[0] for name, values in parse_qs(body.decode("utf-8", "replace")).items()}


def _respond(start_response: StartResponse, status: str, page: str = "") -> list[bytes]:
    body = page.encode("utf-8")
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    if status.startswith("303"):
        headers.append(("Location", "/"))
    start_response(status, headers)
    return [body]


def demo_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Counts visits and logs users in and out; the session API is the cookie one."""
    session = environ["session"]
    path, method = environ.get("PATH_INFO", "/"), environ["REQUEST_METHOD"]
    # Opening the session (its first use) is what sets environ[STORE_ERROR_KEY].
    user = session.get("user")
    store_down = STORE_ERROR_KEY in environ
    if path == "/login" and method == "POST":
        username = _form(environ).get("username", "").strip()
        if username and not store_down:
            session.regenerate()  # a new ID at login: an ID planted before is worthless
            session["user"] = username
        return _respond(start_response, "303 See Other")
    if path == "/logout" and method == "POST":
        session.invalidate()  # deletes the stored session: the old cookie is dead
        return _respond(start_response, "303 See Other")
    if path != "/" or method not in ("GET", "HEAD"):
        return _respond(start_response, "404 Not Found", "Not found")
    visits = session.get("visits", 0) + 1
    if store_down:
        form = DOWN
    else:
        session["visits"] = visits
        form = LOGOUT if user else LOGIN
    name = html.escape(user) if user else "stranger"
    page = PAGE.format(name=name, visits=visits, pid=os.getpid(), form=form)
    return _respond(start_response, "200 OK", page)


def make_app(redis_url: str | None = None, config: SessionConfig | None = None) -> Any:
    """Wrap :func:`demo_app` in sessions stored in Redis at ``redis_url``."""
    if config is None:
        config = SessionConfig.from_env()
    if config.secret_key is None:
        print(
            "redis example: SESSIONWARE_SECRET_KEY is not set; signing session IDs with a "
            "random key for this process only.",
            file=sys.stderr,
        )
        config = dataclasses.replace(config, secret_key=secrets.token_hex(32))
    store = RedisStore(redis_url or os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    interface = ServerSideSessionInterface(store, on_store_error="null")
    return SessionMiddleware(demo_app, config, interface=interface)


#: The WSGI app servers load: ``examples.redis_app:app``.
app = make_app()


def main(argv: list[str] | None = None) -> None:
    """Serve :data:`app` with the standard library's wsgiref until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    with make_server(args.host, args.port, app) as server:
        print(f"Serving on http://{args.host}:{server.server_port}/", file=sys.stderr, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


if __name__ == "__main__":
    main()
