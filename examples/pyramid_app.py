"""The visit counter and login/logout of ``plain_app``, written with Pyramid.

``request.session`` is a sessionware session (Pyramid's ``ISession``): the cookie is
the one the Flask and plain examples read with the same secret. It shows flash
messages and Pyramid's CSRF check too. Run it with ``python examples/pyramid_app.py``
(http://127.0.0.1:8000), or from the ini: ``gunicorn --paste examples/pyramid.ini``.
Settings come from ``SESSIONWARE_*`` environment variables (and ``sessionware.*`` ini
settings). Needs ``pip install sessionware[pyramid]``.
"""

from __future__ import annotations

import html
import os
import secrets
import sys
from typing import Any

from pyramid.config import Configurator
from pyramid.csrf import SessionCSRFStoragePolicy, get_csrf_token, new_csrf_token
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.request import Request
from pyramid.response import Response
from pyramid.router import Router

PAGE = """<!doctype html>
<title>sessionware Pyramid example</title>
{flashes}<p>Hello, {name}. Visits: {visits}. (Served by process {pid}.)</p>
{form}
"""
LOGIN = """<form method="post" action="{root}login"><input type="hidden" name="csrf_token"
value="{token}"><input name="username" placeholder="user name" required>
<button>Log in</button></form>"""
LOGOUT = """<form method="post" action="{root}logout"><input type="hidden" name="csrf_token"
value="{token}"><button>Log out</button></form>"""


def index(request: Request) -> Response:
    """Count the visit, show who is logged in and the flash messages."""
    session = request.session
    session["visits"] = visits = session.get("visits", 0) + 1
    user = session.get("user")
    flashes = "".join(f"<p class=flash>{html.escape(m)}</p>\n" for m in session.pop_flash())
    form = LOGOUT if user else LOGIN
    page = PAGE.format(
        flashes=flashes,
        name=html.escape(user) if user else "stranger",
        visits=visits,
        pid=os.getpid(),
        form=form.format(root=request.application_url + "/", token=get_csrf_token(request)),
    )
    return Response(page, content_type="text/html")


def login(request: Request) -> HTTPSeeOther:
    """Log in under the submitted name, with a new session identity."""
    username = request.POST.get("username", "").strip()
    if username:
        # A new identity at login: a session fixed by an attacker before it is useless.
        request.session.regenerate()
        request.session["user"] = username
        # And a new CSRF token, as for any change of privilege.
        new_csrf_token(request)
        request.session.flash(f"Welcome, {username}.")
    return HTTPSeeOther(request.application_url + "/")


def logout(request: Request) -> HTTPSeeOther:
    """Log out: the session ends and its cookie is deleted."""
    request.session.invalidate()
    return HTTPSeeOther(request.application_url + "/")


def whoami(request: Request) -> dict[str, Any]:
    """What the session holds, as JSON (for the cross-framework example)."""
    return {"user": request.session.get("user"), "visits": request.session.get("visits", 0)}


def add_views(config: Configurator) -> None:
    """The routes and views, with Pyramid's CSRF check on every POST."""
    config.set_csrf_storage_policy(SessionCSRFStoragePolicy())
    config.set_default_csrf_options(require_csrf=True)
    config.add_route("index", "/")
    config.add_route("login", "/login")
    config.add_route("logout", "/logout")
    config.add_route("whoami", "/whoami")
    config.add_view(index, route_name="index", request_method=("GET", "HEAD"))
    config.add_view(login, route_name="login", request_method="POST")
    config.add_view(logout, route_name="logout", request_method="POST")
    config.add_view(whoami, route_name="whoami", renderer="json")


def main(global_config: dict[str, str] | None = None, **settings: str) -> Router:
    """The WSGI app, from Pyramid settings (a PasteDeploy ``paste.app_factory``).

    The session factory comes from the ``sessionware.*`` settings; what they leave
    out, the secret key included, from ``SESSIONWARE_*`` variables.
    """
    if "SESSIONWARE_SECRET_KEY" not in os.environ and not any(
        key in settings for key in ("sessionware.secret_key", "sessionware.from_middleware")
    ):
        print(
            "sessionware Pyramid example: SESSIONWARE_SECRET_KEY is not set; signing with "
            "a random key for this process only.",
            file=sys.stderr,
        )
        settings["sessionware.secret_key"] = secrets.token_hex(32)
    with Configurator(settings=settings) as config:
        config.include("sessionware.pyramid")
        add_views(config)
    return config.make_wsgi_app()


#: The WSGI app servers load: ``examples.pyramid_app:app``.
app = main()


if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    port = int(os.environ.get("PORT", "8000"))
    with make_server("127.0.0.1", port, app) as server:
        print(f"Serving on http://127.0.0.1:{server.server_port}/", file=sys.stderr, flush=True)
        server.serve_forever()
