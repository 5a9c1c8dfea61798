"""uvicorn and gunicorn on loopback, for the real-HTTP ASGI tests."""

from __future__ import annotations

from tests._servers import BIN, Server, clean_env
from tests.conftest import SECRET


def uvicorn(app: str, **env: str) -> Server:
    """uvicorn serving ``app`` (``module:attribute``) on a free port of 127.0.0.1."""
    return Server(
        [str(BIN / "uvicorn"), "--host", "127.0.0.1", "--port", "0", "--no-access-log", app],
        r"Uvicorn running on http://127\.0\.0\.1:(?P<port>\d+)",
        env=clean_env(SESSIONWARE_SECRET_KEY=SECRET, **env),
    )


def gunicorn(app: str, **env: str) -> Server:
    """gunicorn (two workers) serving the WSGI ``app`` on a free port of 127.0.0.1."""
    return Server(
        [
            str(BIN / "gunicorn"),
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "2",
            "--no-control-socket",
            app,
        ],
        r"Listening at: http://127\.0\.0\.1:(?P<port>\d+)",
        env=clean_env(SESSIONWARE_SECRET_KEY=SECRET, **env),
    )
