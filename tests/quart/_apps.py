"""A small Quart app for the tests: a visit counter, a login, a logout, a websocket."""

from __future__ import annotations

from typing import Any

from quart import Quart, request, session, websocket


def counter_app(app: Quart | None = None) -> Quart:
    """``app`` (a new Quart app by default) with the routes the tests call."""
    app = app or Quart(__name__)
    app.config["TESTING"] = True

    @app.get("/count")
    async def count() -> str:
        session["n"] = session.get("n", 0) + 1
        return str(session["n"])

    @app.get("/read")
    async def read() -> dict[str, Any]:
        return dict(session)

    @app.post("/login")
    async def login() -> str:
        form = await request.form
        session["user"] = form["user"]
        return "in"

    @app.post("/logout")
    async def logout() -> str:
        session.clear()
        return "out"

    @app.get("/untouched")
    async def untouched() -> str:
        return "nothing"

    @app.websocket("/ws")
    async def ws() -> None:
        await websocket.accept()
        await websocket.send(str(session.get("n")))
        session["from_ws"] = True

    return app
