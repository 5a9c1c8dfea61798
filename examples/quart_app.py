"""The visit counter and login/logout of ``plain_app``, written with Quart.

Configured the Quart way only: ``app.config`` (here from ``QUART_*`` environment
variables: ``QUART_SECRET_KEY``, ``QUART_SESSION_COOKIE_SECURE=true``, ...) and
``init_app(app)``; sessionware reads the session keys Flask and Quart share, so a Flask
app with the same secret key reads this app's cookie. ``QUART_SESSION_STORE`` (a URL:
``redis://127.0.0.1:6379/0``, ``sqlite:///sessions.sqlite3``, ``memory://``) keeps
sessions server-side, every store call awaited on the event loop. ``/ws`` is a
websocket that greets whoever is logged in.

Serve it with hypercorn: ``hypercorn examples.quart_app:app --bind 127.0.0.1:8000``,
or ``python examples/quart_app.py``. Needs ``pip install sessionware[quart]``
(and ``sessionware[async-redis]`` or ``[async-sql]`` for those stores).
"""

from __future__ import annotations

import os
import secrets
import sys
from typing import TYPE_CHECKING, cast

from quart import Quart, redirect, render_template_string, request, session, websocket
from werkzeug.wrappers import Response

from sessionware.quart import init_app

if TYPE_CHECKING:
    from sessionware import LazySession

PAGE = """<!doctype html>
<title>sessionware Quart example</title>
<p>Hello, {{ user or "stranger" }}. Visits: {{ visits }}. (Served by process {{ pid }}.)</p>
{% if user %}<form method="post" action="/logout"><button>Log out</button></form>
{% else %}<form method="post" action="/login">
<input name="username" placeholder="user name" required> <button>Log in</button>
</form>{% endif %}
"""

app = Quart(__name__)
app.config.update(SESSION_COOKIE_SAMESITE="Lax")
# QUART_SECRET_KEY, QUART_SESSION_COOKIE_NAME, QUART_SESSION_STORE, ...
app.config.from_prefixed_env("QUART")
if not app.config.get("SECRET_KEY"):
    print(
        "sessionware Quart example: QUART_SECRET_KEY is not set; signing with a random "
        "key for this process only.",
        file=sys.stderr,
    )
    app.config["SECRET_KEY"] = secrets.token_hex(32)
init_app(app, store=app.config.get("SESSION_STORE"))


def ours() -> LazySession:
    """Quart's ``session`` as sessionware's session, for its extras (``regenerate()``,
    ``invalidate()``), which Quart's type hints know nothing about."""
    return cast("LazySession", session)


@app.get("/")
async def index() -> str:
    """Count the visit in Quart's session and show who is logged in."""
    session["visits"] = visits = session.get("visits", 0) + 1
    return await render_template_string(
        PAGE, user=session.get("user"), visits=visits, pid=os.getpid()
    )


@app.post("/login")
async def login() -> Response:
    """Log in under the submitted name, with a new session identity."""
    form = await request.form
    username = form.get("username", "").strip()
    if username:
        ours().regenerate()
        session["user"] = username
    return redirect("/", code=303)


@app.post("/logout")
async def logout() -> Response:
    """Log out: the session ends and its cookie is deleted."""
    ours().invalidate()
    return redirect("/", code=303)


@app.get("/whoami")
async def whoami() -> dict[str, object]:
    """What the session holds, as JSON."""
    return {"user": session.get("user"), "visits": session.get("visits", 0)}


@app.websocket("/ws")
async def greet() -> None:
    """Greet whoever the session says is logged in (the cookie came with the handshake)."""
    await websocket.accept()
    await websocket.send(f"Hello, {session.get('user') or 'stranger'}.")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
