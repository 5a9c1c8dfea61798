"""One login for Flask, Django, Pyramid and a plain WSGI app, under one dispatcher.

::

    /           a plain WSGI app (the landing page)
    /flask/     Flask, its ``session`` bridged to the middleware's
    /pyramid/   Pyramid, ``request.session`` from the middleware (with CSRF checks)
    /django/    Django, ``SESSION_ENGINE = "sessionware.django.cookie"`` (with CSRF checks)

One :class:`~sessionware.SessionMiddleware` wraps werkzeug's ``DispatcherMiddleware``,
so every Flask, Pyramid and plain request has one session, saved once, in one signed
cookie. Django keeps its own ``SessionMiddleware``, whose sessionware engine reads and
writes that same cookie with the same key. Log in on any app and every app knows you;
log out on any and every app has forgotten you.

    SESSIONWARE_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))') \\
        gunicorn --bind 127.0.0.1:8000 --workers 2 examples.cross_framework:app

Needs ``pip install sessionware[flask,pyramid,django]``.
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
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.urls import path
from django.views.decorators.http import require_POST
from pyramid.config import Configurator
from pyramid.csrf import SessionCSRFStoragePolicy, get_csrf_token, new_csrf_token
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.router import Router
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.wrappers import Response as WerkzeugResponse

from sessionware import SessionConfig, SessionMiddleware
from sessionware.flask import MiddlewareSessionInterface
from sessionware.pyramid import session_factory
from sessionware.wsgi.middleware import StartResponse, WSGIApp

PAGE = """<!doctype html>
<title>sessionware: {app}</title>
<p>{app} says: hello, {name}.</p>
<p><a href="/">plain</a> <a href="/flask/">Flask</a> <a href="/pyramid/">Pyramid</a>
<a href="/django/">Django</a></p>
{form}
"""
LOGIN = """<form method="post" action="{action}">{csrf}
<input name="username" placeholder="user name" required> <button>Log in</button></form>"""
LOGOUT = """<form method="post" action="{action}">{csrf}<button>Log out</button></form>"""
CSRF = '<input type="hidden" name="{field}" value="{token}">'


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
    csrf = CSRF.format(field="csrf_token", token=get_csrf_token(request))
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


# Django: its own SessionMiddleware with sessionware's cookie engine; the settings
# mirror the middleware's config, so both read and write one cookie.


def django_index(request: HttpRequest) -> HttpResponse:
    csrf = CSRF.format(field="csrfmiddlewaretoken", token=get_token(request))
    return HttpResponse(
        page("Django", request.session.get("user"), request.META["SCRIPT_NAME"], csrf)
    )


def django_whoami(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"app": "django", "user": request.session.get("user")})


def django_login(request: HttpRequest) -> HttpResponse:
    username = request.POST.get("username", "").strip()
    if username:
        # Django's new identity at login, as django.contrib.auth.login does.
        request.session.cycle_key()
        request.session["user"] = username
    return _django_redirect(request)


def django_logout(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return _django_redirect(request)


def _django_redirect(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=303, headers={"Location": request.META["SCRIPT_NAME"] + "/"})


urlpatterns = [
    path("", django_index),
    path("whoami", django_whoami),
    path("login", require_POST(django_login)),
    path("logout", require_POST(django_logout)),
]


def make_django_app(config: SessionConfig) -> WSGIApp:
    """Configure Django (this module is its URLconf) to share ``config``'s cookie."""
    settings.configure(
        SECRET_KEY=config.secret_key,
        SECRET_KEY_FALLBACKS=list(config.secret_key_fallbacks),
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
        ],
        SESSION_ENGINE="sessionware.django.cookie",
        SESSION_COOKIE_NAME=config.cookie_name,
        SESSION_COOKIE_DOMAIN=config.cookie_domain,
        SESSION_COOKIE_PATH=config.cookie_path,
        SESSION_COOKIE_SECURE=config.cookie_secure,
        SESSION_COOKIE_HTTPONLY=config.cookie_httponly,
        SESSION_COOKIE_SAMESITE=config.cookie_samesite or False,
        SESSION_COOKIE_AGE=config.lifetime_seconds,
        USE_TZ=True,
    )
    return get_wsgi_application()  # type: ignore[no-any-return]


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
    mounts: dict[str, WSGIApp] = {
        "/flask": flask_app,
        "/pyramid": make_pyramid_app(),
        "/django": make_django_app(config),
    }
    return SessionMiddleware(DispatcherMiddleware(plain_app, mounts), config)


#: The WSGI app servers load: ``examples.cross_framework:app``.
app = make_app(load_config())
