"""The visit counter and login/logout of ``plain_app``, written with Bottle.

Bottle has no sessions of its own: wrap the Bottle app in ``SessionMiddleware`` and
read ``bottle.request.environ["session"]``. Serve the module's ``app``, e.g.
``waitress-serve examples.bottle_app:app``; settings come from ``SESSIONWARE_*``
environment variables.
"""

from __future__ import annotations

import dataclasses
import html
import os
import secrets
import sys
from typing import Any

import bottle

from sessionware import SessionConfig, SessionMiddleware

PAGE = """<!doctype html>
<title>sessionware Bottle example</title>
<p>Hello, {name}. Visits: {visits}. (Served by process {pid}.)</p>
{form}
"""
LOGIN = """<form method="post" action="/login">
<input name="username" placeholder="user name" required> <button>Log in</button>
</form>"""
LOGOUT = """<form method="post" action="/logout"><button>Log out</button></form>"""


def session() -> Any:
    """The request's session, put in the environ by the middleware."""
    return bottle.request.environ["session"]


def index() -> str:
    """Count the visit and show who is logged in."""
    session()["visits"] = visits = session().get("visits", 0) + 1
    user = session().get("user")
    return PAGE.format(
        name=html.escape(user) if user else "stranger",
        visits=visits,
        pid=os.getpid(),
        form=LOGOUT if user else LOGIN,
    )


def login() -> None:
    """Log in under the submitted name, with a new session identity."""
    username = (bottle.request.forms.getunicode("username") or "").strip()
    if username:
        session().regenerate()
        session()["user"] = username
    bottle.redirect("/", 303)


def logout() -> None:
    """Log out: the session ends and its cookie is deleted."""
    session().invalidate()
    bottle.redirect("/", 303)


def load_config() -> SessionConfig:
    """Read the settings from the environment, making a dev key if none is set."""
    config = SessionConfig.from_env()
    if config.secret_key is None:
        print("SESSIONWARE_SECRET_KEY is not set; using a random key.", file=sys.stderr)
        config = dataclasses.replace(config, secret_key=secrets.token_hex(32))
    return config


bottle_app = bottle.Bottle()
# Registered by call rather than decorator, which type checkers cannot see through.
bottle_app.get("/", callback=index)
bottle_app.post("/login", callback=login)
bottle_app.post("/logout", callback=logout)

#: The WSGI app servers load: ``examples.bottle_app:app``.
app = SessionMiddleware(bottle_app, load_config())

if __name__ == "__main__":
    bottle.run(app, host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
