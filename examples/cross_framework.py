"""One login for a Flask app, a Pyramid app and a plain WSGI app, under one dispatcher.

::

    /           a plain WSGI app (the landing page)
    /flask/     Flask, its ``session`` bridged to the middleware's
    /pyramid/   Pyramid, ``request.session`` from the middleware (with CSRF checks)

One :class:`~sessionware.SessionMiddleware` wraps werkzeug's ``DispatcherMiddleware``,
so every request has one session, saved once, in one signed cookie. Log in on any app
and every app knows you; log out on any and every app has forgotten you.

    SESSIONWARE_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))') \\
        gunicorn --bind 127.0.0.1:8000 --workers 2 examples.cross_framework:app

Needs ``pip install sessionware[flask,pyramid]``.
"""

from __future__ import annotations

import dataclasses
import html
import json
import secrets
import sys
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

import flask
from pyramid.config import Configurator
from pyramid.csrf import SessionCSRFStoragePolicy, get_csrf_token, new_csrf_token
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.router import Router
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response as WerkzeugResponse

from sessionware import SessionConfig, SessionMiddleware
from sessionware.flask_bridge import MiddlewareSessionInterface
from sessionware.middleware import StartResponse, WSGIApp
from sessionware.pyramid import session_factory

PAGE = """<!doctype html>
<title>sessionware: {app}</title>
<p>{app} says: hello, {name}.</p>
<p><a href="/">plain</a> <a href="/flask/">Flask</a> <a href="/pyramid/">Pyramid</a></p>
{form}
"""
LOGIN = """<form method="post" action="{action}">{csrf}
<input name="username" placeholder="user name" required> <button>Log in</button></form>"""
LOGOUT = """<form method="post" action="{action}">{csrf}<button>Log out</button></form>"""
CSRF = '<input type="hidden" name="csrf_token" value="{token}">'


def page(app: str, user: str | None, root: str, csrf: str = "") -> str:
    """The page every app shows: who is logged in, and a login or logout form."""
    form = (LOGOUT if user else LOGIN).format(
        action=f"{root}/{'logout' if user else 'login'}", csrf=csrf
    )
    return PAGE.format(app=app, name=html.escape(user) if user else "stranger", form=form)


# Flask: its session is the middleware's, through the bridge.

flask_app = flask.Flask(__name__)
flask_app.session_interface = MiddlewareSessionInterface()


@flask_app.get("/")
def flask_index() -> str:
    return page("Flask", flask.session.get("user"), flask.request.script_root)


@flask_app.get("/whoami")
def flask_whoami() -> dict[str, Any]:
    return {"app": "flask", "user": flask.session.get("user")}


@flask_app.post("/login")
def flask_login() -> WerkzeugResponse:
    username = flask.request.form.get("username", "").strip()
    if username:
        flask.request.environ["session"].regenerate()
        flask.session["user"] = username
    return flask.redirect(flask.request.script_root + "/", code=303)


@flask_app.post("/logout")
def flask_logout() -> WerkzeugResponse:
    flask.request.environ["session"].invalidate()
    return flask.redirect(flask.request.script_root + "/", code=303)


# Pyramid: request.session from the middleware, Pyramid's CSRF check on every POST.


def pyramid_index(request: Request) -> Response:
    csrf = CSRF.format(token=get_csrf_token(request))
    text = page("Pyramid", request.session.get("user"), request.script_name, csrf)
    return Response(text, content_type="text/html")


def pyramid_whoami(request: Request) -> dict[str, Any]:
    return {"app": "pyramid", "user": request.session.get("user")}


def pyramid_login(request: Request) -> HTTPSeeOther:
    username = request.POST.get("username", "").strip()
    if username:
        request.session.regenerate()
        request.session["user"] = username
        new_csrf_token(request)
    return HTTPSeeOther(request.script_name + "/")


def pyramid_logout(request: Request) -> HTTPSeeOther:
    request.session.invalidate()
    return HTTPSeeOther(request.script_name + "/")


def make_pyramid_app() -> Router:
    with Configurator() as config:
        config.set_session_factory(session_factory(from_middleware=True))
        config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
        config.set_default_csrf_options(require_csrf=True)
        for name, view, renderer in (
            ("index", pyramid_index, None),
            ("whoami", pyramid_whoami, "json"),
            ("login", pyramid_login, None),
            ("logout", pyramid_logout, None),
        ):
            config.add_route(name, "/" if name == "index" else f"/{name}")
            config.add_view(view, route_name=name, renderer=renderer)
    return config.make_wsgi_app()


# The plain WSGI app: environ["session"] itself.


def plain_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    session = environ["session"]
    path, method = environ.get("PATH_INFO") or "/", environ["REQUEST_METHOD"]
    if path in ("/login", "/logout") and method == "POST":
        if path == "/logout":
            session.invalidate()
        elif username := _form(environ).get("username", "").strip():
            session.regenerate()
            session["user"] = username
        start_response("303 See Other", [("Location", "/"), ("Content-Length", "0")])
        return []
    if path == "/whoami":
        body = json.dumps({"app": "plain", "user": session.get("user")}).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]
    if path != "/":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not found\n"]
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [page("plain", session.get("user"), "").encode()]


def _form(environ: dict[str, Any]) -> dict[str, str]:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), 4096)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    return {name: values[0] for name, values in parse_qs(body.decode("utf-8", "replace")).items()}


def load_config() -> SessionConfig:
    """Read the settings from the environment, making a dev key if none is set."""
    config = SessionConfig.from_env()
    if config.secret_key is None:
        print("SESSIONWARE_SECRET_KEY is not set; using a random key.", file=sys.stderr)
        config = dataclasses.replace(config, secret_key=secrets.token_hex(32))
    return config


def make_app(config: SessionConfig) -> SessionMiddleware:
    """The dispatcher of every app, wrapped in one session middleware."""
    mounts: dict[str, WSGIApp] = {"/flask": flask_app, "/pyramid": make_pyramid_app()}
    return SessionMiddleware(DispatcherMiddleware(plain_app, mounts), config)


#: The WSGI app servers load: ``examples.cross_framework:app``.
app = make_app(load_config())
