"""The visit counter and login/logout of ``plain_app``, written with WebOb.

WebOb's ``Request`` sees the session at ``request.environ["session"]``.
Run it with ``python examples/webob_app.py`` (http://127.0.0.1:8000).
"""

from __future__ import annotations

import dataclasses
import html
import os
import secrets
import sys
from collections.abc import Iterable
from typing import Any
from wsgiref.simple_server import make_server

from webob import Request, Response
from webob.exc import HTTPMethodNotAllowed, HTTPNotFound, HTTPSeeOther

from sessionware import SessionConfig, SessionMiddleware
from sessionware.wsgi.middleware import StartResponse


def load_config() -> SessionConfig:
    """Read the settings from the environment, making a dev key if none is set."""
    config = SessionConfig.from_env()
    if config.secret_key is None:
        print(
            "sessionware WebOb example: SESSIONWARE_SECRET_KEY is not set; signing with a "
            "random key for this process only.",
            file=sys.stderr,
        )
        config = dataclasses.replace(config, secret_key=secrets.token_hex(32))
    return config


def handle(request: Request) -> Response:
    """Route one request; every view reads or writes ``request.environ["session"]``."""
    session = request.environ["session"]
    if request.path == "/login" and request.method == "POST":
        username = request.POST.get("username", "").strip()
        if username:
            session.regenerate()
            session["user"] = username
        return HTTPSeeOther(location="/")
    if request.path == "/logout" and request.method == "POST":
        session.invalidate()
        return HTTPSeeOther(location="/")
    if request.path != "/":
        return HTTPNotFound()
    if request.method not in ("GET", "HEAD"):
        return HTTPMethodNotAllowed()
    session["visits"] = visits = session.get("visits", 0) + 1
    user = session.get("user")
    return Response(
        f"<!doctype html><p>Hello, {html.escape(user) if user else 'stranger'}. "
        f"Visits: {visits}.</p>",
        content_type="text/html",
        charset="utf-8",
    )


def demo_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """The WSGI callable around :func:`handle`."""
    response: Iterable[bytes] = handle(Request(environ))(environ, start_response)
    return response


app = SessionMiddleware(demo_app, load_config())

if __name__ == "__main__":
    with make_server("127.0.0.1", int(os.environ.get("PORT", "8000")), app) as server:
        server.serve_forever()
