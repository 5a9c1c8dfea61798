"""The visit counter and login/logout of ``plain_app``, written with Flask.

Flask's own ``flask.session`` and the middleware's ``environ["session"]`` are one
session, so Flask views and plain WSGI code (middleware, mounted apps) share it.
Run it with ``python examples/flask_app.py`` (http://127.0.0.1:8000); configure it
with ``SESSIONWARE_*`` environment variables. Needs ``pip install sessionware[flask]``.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import sys

from flask import Flask, redirect, render_template_string, request, session
from werkzeug.wrappers import Response

from sessionware import SessionConfig
from sessionware.flask_bridge import init_app

PAGE = """<!doctype html>
<title>sessionware Flask example</title>
<p>Hello, {{ user or "stranger" }}. Visits: {{ visits }}. (Served by process {{ pid }}.)</p>
{% if user %}<form method="post" action="/logout"><button>Log out</button></form>
{% else %}<form method="post" action="/login">
<input name="username" placeholder="user name" required> <button>Log in</button>
</form>{% endif %}
"""


def load_config() -> SessionConfig:
    """Read the settings from the environment, making a dev key if none is set."""
    config = SessionConfig.from_env()
    if config.secret_key is None:
        print(
            "sessionware Flask example: SESSIONWARE_SECRET_KEY is not set; signing with a "
            "random key for this process only.",
            file=sys.stderr,
        )
        config = dataclasses.replace(config, secret_key=secrets.token_hex(32))
    return config


app = Flask(__name__)
# Flask's session is now the middleware's: Flask's SECRET_KEY is not used for it.
middleware = init_app(app, load_config())
#: Where the middleware puts the session ("session" unless SESSIONWARE_ENVIRON_KEY says).
ENVIRON_KEY = middleware.config.environ_key


@app.get("/")
def index() -> str:
    """Count the visit in Flask's session and show who is logged in."""
    session["visits"] = visits = session.get("visits", 0) + 1
    return render_template_string(PAGE, user=session.get("user"), visits=visits, pid=os.getpid())


@app.post("/login")
def login() -> Response:
    """Log in under the submitted name, with a new session identity."""
    username = request.form.get("username", "").strip()
    if username:
        # regenerate() is sessionware's, not Flask's: reach it through the environ (the
        # same object as flask.session), which type checkers know nothing about.
        request.environ[ENVIRON_KEY].regenerate()
        session["user"] = username
    return redirect("/", code=303)


@app.post("/logout")
def logout() -> Response:
    """Log out: the middleware's session (the same object) ends, deleting the cookie."""
    request.environ[ENVIRON_KEY].invalidate()
    return redirect("/", code=303)


@app.get("/whoami")
def whoami() -> dict[str, object]:
    """What the middleware's session holds, read through the WSGI environ."""
    plain = request.environ[ENVIRON_KEY]
    return {"user": plain.get("user"), "visits": plain.get("visits", 0)}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
