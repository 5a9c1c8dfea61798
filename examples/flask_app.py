"""The visit counter and login/logout of ``plain_app``, written with Flask.

Configured the Flask way only: ``app.config`` (here from ``FLASK_*`` environment
variables: ``FLASK_SECRET_KEY``, ``FLASK_SESSION_COOKIE_SECURE=true``, ...) and
``init_app(app)``; sessionware reads Flask's own session keys. ``request.environ["session"]``
is the same object as ``flask.session``, for sessionware's extras (``regenerate()``,
``invalidate()``) and plain WSGI code. Run it with ``python examples/flask_app.py``
(http://127.0.0.1:8000). Needs ``pip install sessionware[flask]``.
"""

from __future__ import annotations

import os
import secrets
import sys

from flask import Flask, redirect, render_template_string, request, session
from werkzeug.wrappers import Response

from sessionware.flask import init_app

PAGE = """<!doctype html>
<title>sessionware Flask example</title>
<p>Hello, {{ user or "stranger" }}. Visits: {{ visits }}. (Served by process {{ pid }}.)</p>
{% if user %}<form method="post" action="/logout"><button>Log out</button></form>
{% else %}<form method="post" action="/login">
<input name="username" placeholder="user name" required> <button>Log in</button>
</form>{% endif %}
"""

app = Flask(__name__)
app.config.update(SESSION_COOKIE_SAMESITE="Lax")
# FLASK_SECRET_KEY, FLASK_SESSION_COOKIE_NAME, FLASK_PERMANENT_SESSION_LIFETIME, ...
app.config.from_prefixed_env()
if not app.config.get("SECRET_KEY"):
    print(
        "sessionware Flask example: FLASK_SECRET_KEY is not set; signing with a random "
        "key for this process only.",
        file=sys.stderr,
    )
    app.config["SECRET_KEY"] = secrets.token_hex(32)
init_app(app)


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
        request.environ["session"].regenerate()
        session["user"] = username
    return redirect("/", code=303)


@app.post("/logout")
def logout() -> Response:
    """Log out: the session ends and its cookie is deleted."""
    request.environ["session"].invalidate()
    return redirect("/", code=303)


@app.get("/whoami")
def whoami() -> dict[str, object]:
    """What the session holds, read through the WSGI environ."""
    plain = request.environ["session"]
    return {"user": plain.get("user"), "visits": plain.get("visits", 0)}


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
