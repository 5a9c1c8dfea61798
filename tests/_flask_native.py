"""A Flask app on Flask's own session (no sessionware), for the Django interop test."""

from __future__ import annotations

import os

from flask import Flask, session

app = Flask(__name__)
app.secret_key = os.environ["FLASK_TEST_SECRET_KEY"]


@app.get("/")
def visit() -> dict[str, object]:
    """Count a visit and show who Django's auth says is logged in."""
    session["visits"] = session.get("visits", 0) + 1
    return {"visits": session["visits"], "django_user_id": session.get("_auth_user_id")}


@app.post("/clear")
def clear() -> dict[str, object]:
    """Forget everything (Flask's way of logging out)."""
    session.clear()
    return {"cleared": True}
