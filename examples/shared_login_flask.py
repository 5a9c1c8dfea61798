"""One login for a Flask app and a FastAPI app: the Flask half.

Run both on one host with the same ``SESSIONWARE_SECRET_KEY``::

    export SESSIONWARE_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')
    gunicorn --bind 127.0.0.1:8000 examples.shared_login_flask:app &
    uvicorn --host 127.0.0.1 --port 8001 examples.shared_login_fastapi:app

Log in on either (``POST /login`` with ``{"username": "alice"}``) and ``GET /whoami``
answers ``alice`` on both; log out on either and both forget her. Browsers send a
host's cookies to every port of it, and both apps read and write the same
Flask-compatible cookie. With ``REDIS_URL`` set, both keep sessions in that Redis
instead (the cookie then holds a signed session ID), this one through the sync
``RedisStore``.
"""

from __future__ import annotations

import os

from flask import Flask, abort, request, session

from examples.shared_login_config import load_config
from sessionware import ServerSideSessionInterface, SessionInterface
from sessionware.flask import init_app


def make_interface() -> SessionInterface | None:
    """The server-side interface on ``REDIS_URL``, or ``None`` for cookie sessions."""
    url = os.environ.get("REDIS_URL")
    if not url:
        return None
    from sessionware.stores.redis import RedisStore

    return ServerSideSessionInterface(RedisStore(url, prefix="shared-login:"))


app = Flask(__name__)
middleware = init_app(app, load_config(), interface=make_interface())
ENVIRON_KEY = middleware.config.environ_key


@app.get("/whoami")
def whoami() -> dict[str, object]:
    """Who is logged in, as this app sees it."""
    return {"user": session.get("user"), "app": "flask"}


@app.post("/login")
def login() -> dict[str, object]:
    """Log in under ``username`` with a new session identity (against fixation)."""
    username = str((request.get_json(silent=True) or {}).get("username", "")).strip()
    if not username:
        abort(400, "username is required")
    request.environ[ENVIRON_KEY].regenerate()
    session["user"] = username
    return {"user": username, "app": "flask"}


@app.post("/logout")
def logout() -> dict[str, object]:
    """End the session: the cookie is deleted (and a stored session removed)."""
    request.environ[ENVIRON_KEY].invalidate()
    return {"user": None, "app": "flask"}
