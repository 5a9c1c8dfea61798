"""uvicorn and gunicorn on loopback, for the real-HTTP ASGI tests."""

from __future__ import annotations

import threading
from typing import Any

from tests._servers import BIN, DEADLINE, Server, clean_env
from tests.conftest import SECRET


class LoggingServer(Server):
    """A :class:`Server` whose log can be waited on, line by line, without sleeping."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.logged = threading.Condition()
        self.lines = _NotifyingList(self.logged)

    def wait_for(self, text: str, start: int = 0) -> str:
        """Everything logged from line ``start`` on, once it contains ``text``."""
        with self.logged:
            found = self.logged.wait_for(lambda: text in "".join(self.lines[start:]), DEADLINE)
        logged = "".join(self.lines[start:])
        assert found, f"the server did not log {text!r} within {DEADLINE}s:\n{logged}"
        return logged


class _NotifyingList(list[str]):
    def __init__(self, condition: threading.Condition) -> None:
        super().__init__()
        self.condition = condition

    def append(self, line: str) -> None:
        with self.condition:
            super().append(line)
            self.condition.notify_all()


def uvicorn(app: str, **env: str) -> LoggingServer:
    """uvicorn serving ``app`` (``module:attribute``) on a free port of 127.0.0.1."""
    return LoggingServer(
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
