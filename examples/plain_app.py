"""A plain WSGI app with a visit counter and login/logout, in sessions.

Run it with ``make run`` or ``python examples/plain_app.py`` and open
http://127.0.0.1:8000. Settings come from ``SESSIONWARE_*`` environment variables
(see ``SessionConfig.from_env``); without ``SESSIONWARE_SECRET_KEY`` a random key is
made for this process only, so sessions end when it stops. Servers load the module's
``app``: ``gunicorn -c examples/gunicorn.conf.py``, ``uwsgi --ini examples/uwsgi.ini``;
``examples/paste.ini`` builds the same app from an ini file.
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

from sessionware import SessionConfig, SessionMiddleware
from sessionware.wsgi.middleware import StartResponse, WSGIApp

PAGE = """<!doctype html>
<title>sessionware example</title>
<p>Hello, {name}. Visits: {visits}. (Served by process {pid}.)</p>
{form}
"""
LOGIN = """<form method="post" action="/login">
<input name="username" placeholder="user name" required> <button>Log in</button>
</form>"""
LOGOUT = """<form method="post" action="/logout"><button>Log out</button></form>"""


def load_config() -> SessionConfig:
    """Read the settings from the environment, making a dev key if none is set."""
    config = SessionConfig.from_env()
    if config.secret_key is None:
        print(
            "sessionware example: SESSIONWARE_SECRET_KEY is not set; signing with a random "
            "key for this process only (sessions end when it stops, and workers of a "
            "multi-process server cannot read each other's cookies).",
            file=sys.stderr,
        )
        config = dataclasses.replace(config, secret_key=secrets.token_hex(32))
    return config


def _form(environ: dict[str, Any]) -> dict[str, str]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(min(length, 4096)) if length > 0 else b""
    fields = parse_qs(body.decode("utf-8", "replace"))
    return {name: values[0] for name, values in fields.items()}


def _redirect(start_response: StartResponse) -> list[bytes]:
    start_response("303 See Other", [("Location", "/"), ("Content-Length", "0")])
    return []


def demo_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The undecorated app: counts visits, logs users in and out."""
    session = environ["session"]
    path = environ.get("PATH_INFO", "/")
    method = environ["REQUEST_METHOD"]
    if path == "/login" and method == "POST":
        username = _form(environ).get("username", "").strip()
        if username:
            # A new identity at login: a session fixed by an attacker before it is useless.
            session.regenerate()
            session["user"] = username
        return _redirect(start_response)
    if path == "/logout" and method == "POST":
        session.invalidate()
        return _redirect(start_response)
    if path != "/" or method not in ("GET", "HEAD"):
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"Not found\n"]
    session["visits"] = visits = session.get("visits", 0) + 1
    user = session.get("user")
    page = PAGE.format(
        name=html.escape(user) if user else "stranger",
        visits=visits,
        pid=os.getpid(),
        form=LOGOUT if user else LOGIN,
    ).encode("utf-8")
    start_response(
        "200 OK",
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page)))],
    )
    return [page]


def app_factory(global_conf: dict[str, str], **local_conf: str) -> WSGIApp:
    """PasteDeploy app factory: the demo without sessions, for ``examples/paste.ini``."""
    return demo_app


#: The WSGI app servers load: ``examples.plain_app:app`` (or ``plain_app:app``).
app = SessionMiddleware(demo_app, load_config())


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
