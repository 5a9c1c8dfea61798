"""The visit counter and login/logout of ``plain_app``, written with Falcon.

Falcon has no sessions of its own: wrap the Falcon app in ``SessionMiddleware`` and
read ``req.env["session"]`` (Falcon's name for the WSGI environ). Serve the module's
``app``, e.g. ``waitress-serve examples.falcon_app:app``; settings come from
``SESSIONWARE_*`` environment variables.
"""

from __future__ import annotations

import dataclasses
import html
import os
import secrets
import sys

import falcon

from sessionware import SessionConfig, SessionMiddleware

PAGE = """<!doctype html>
<title>sessionware Falcon example</title>
<p>Hello, {name}. Visits: {visits}. (Served by process {pid}.)</p>
{form}
"""
LOGIN = """<form method="post" action="/login">
<input name="username" placeholder="user name" required> <button>Log in</button>
</form>"""
LOGOUT = """<form method="post" action="/logout"><button>Log out</button></form>"""


class Index:
    """``/``: count the visit and show who is logged in."""

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        session = req.env["session"]
        session["visits"] = visits = session.get("visits", 0) + 1
        user = session.get("user")
        resp.content_type = falcon.MEDIA_HTML
        resp.text = PAGE.format(
            name=html.escape(user) if user else "stranger",
            visits=visits,
            pid=os.getpid(),
            form=LOGOUT if user else LOGIN,
        )


class Login:
    """``/login``: log in under the submitted name, with a new session identity."""

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        form = req.get_media(default_when_empty={})
        username = str(form.get("username", "")).strip()
        if username:
            req.env["session"].regenerate()
            req.env["session"]["user"] = username
        raise falcon.HTTPSeeOther("/")


class Logout:
    """``/logout``: the session ends and its cookie is deleted."""

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.env["session"].invalidate()
        raise falcon.HTTPSeeOther("/")


def load_config() -> SessionConfig:
    """Read the settings from the environment, making a dev key if none is set."""
    config = SessionConfig.from_env()
    if config.secret_key is None:
        print("SESSIONWARE_SECRET_KEY is not set; using a random key.", file=sys.stderr)
        config = dataclasses.replace(config, secret_key=secrets.token_hex(32))
    return config


falcon_app = falcon.App()
falcon_app.add_route("/", Index())
falcon_app.add_route("/login", Login())
falcon_app.add_route("/logout", Logout())

#: The WSGI app servers load: ``examples.falcon_app:app``.
app = SessionMiddleware(falcon_app, load_config())

if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    with make_server("127.0.0.1", int(os.environ.get("PORT", "8000")), app) as server:
        server.serve_forever()
