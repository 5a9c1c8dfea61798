"""Real WSGI servers on loopback, and a small cookie-keeping HTTP client for them.

A server is started on port 0 (the kernel picks a free one), and is ready once its own
log names the port; the log is read as it comes, so nothing sleeps to wait. Every
server runs in a process group of its own, which is always stopped, workers included.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from urllib.parse import urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: How long a server may take to start listening, or a request to be answered.
DEADLINE = 30.0


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def wsgiref_thread(app: Callable[..., Any]) -> Iterator[str]:
    """``app`` served by wsgiref in a thread of this process, one thread per request, on
    a free loopback port; yields its base URL. For tests that read the app's state back."""
    with make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    ) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_port}"
        finally:
            httpd.shutdown()
            thread.join()


#: What gunicorn logs once it listens, naming the port it was given.
GUNICORN_READY = r"Listening at: http://127\.0\.0\.1:(?P<port>\d+)"


def gunicorn_server(*args: str, env: Mapping[str, str], workers: int = 2) -> Server:
    """gunicorn on a free loopback port with ``workers`` processes.

    :param args: more options, and the app (``module:name``) unless an option names it.
    """
    argv = [str(BIN / "gunicorn"), "--bind", "127.0.0.1:0", "--workers", str(workers)]
    return Server([*argv, "--no-control-socket", *args], GUNICORN_READY, env=env)


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without SESSIONWARE_*/UWSGI_* variables, plus ``extra``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SESSIONWARE_", "UWSGI_", "GUNICORN_", "WEB_CONCURRENCY"))
    }
    env.update(extra)
    return env


class Server:
    """A server process, started on entering and stopped (with its workers) on leaving.

    :param argv: the command line.
    :param ready: a pattern with a ``port`` group, matched against each line the server
        logs; the first match means it listens.
    """

    def __init__(
        self,
        argv: Sequence[str],
        ready: str,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path = ROOT,
    ) -> None:
        self.argv = list(argv)
        self.ready = re.compile(ready)
        self.env = dict(env) if env is not None else clean_env()
        self.cwd = cwd
        self.lines: list[str] = []
        self.port = 0
        self._listening = threading.Event()
        self._logged = threading.Condition()
        self._proc: subprocess.Popen[str] | None = None
        self._reader: threading.Thread | None = None

    @property
    def output(self) -> str:
        """Everything the server logged so far."""
        return "".join(self.lines)

    def wait_for_output(self, text: str) -> str:
        """Wait (at most ``DEADLINE`` seconds) until the server has logged ``text``.

        The server logs from its own process, so a line about a request may arrive a
        moment after the response; return the output then, whether or not it came.
        """
        with self._logged:
            self._logged.wait_for(lambda: text in self.output, DEADLINE)
        return self.output

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self._proc = subprocess.Popen(
            self.argv,
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._listening.wait(DEADLINE) or not self.port:
            self.stop()
            raise AssertionError(
                f"{self.argv[0]} did not start listening within {DEADLINE}s:\n{self.output}"
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _read(self) -> None:
        assert self._proc is not None
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            with self._logged:
                self.lines.append(line)
                self._logged.notify_all()
            if not self.port and (match := self.ready.search(line)):
                self.port = int(match["port"])
                self._listening.set()
        # The server exited: whoever waits for it to listen must stop waiting.
        self._listening.set()
        with self._logged:
            self._logged.notify_all()

    def stop(self) -> int | None:
        """Stop the server and its workers (SIGTERM, then SIGKILL); return its exit code."""
        proc = self._proc
        if proc is None:
            return None
        if proc.poll() is None:
            self._signal(proc.pid, signal.SIGTERM)
            try:
                proc.wait(DEADLINE)
            except subprocess.TimeoutExpired:
                self._signal(proc.pid, signal.SIGKILL)
                proc.wait()
        # Workers left behind by a master that died are in the same group.
        self._signal(proc.pid, signal.SIGKILL)
        if self._reader is not None:
            self._reader.join(DEADLINE)
        if proc.stdout is not None:
            proc.stdout.close()
        return proc.returncode

    @staticmethod
    def _signal(pgid: int, signum: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signum)


@dataclass
class Reply:
    """One HTTP response as the client saw it."""

    status: int
    headers: list[tuple[str, str]]
    body: str

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


@dataclass
class Browser:
    """Keeps cookies like a browser (set, replace, delete on Max-Age=0); follows nothing.

    Each request opens a new connection, so a server with several workers may hand
    consecutive requests of one browser to different processes.
    """

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: Mapping[str, str] | None = None) -> Reply:
        host, port = self.base_url.removeprefix("http://").split(":")
        headers = {"Connection": "close"}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = http.client.HTTPConnection(host, int(port), timeout=DEADLINE)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            reply = Reply(response.status, response.getheaders(), response.read().decode("utf-8"))
        finally:
            conn.close()
        for value in reply.header_values("Set-Cookie"):
            self._store(value)
        return reply

    def get(self, path: str = "/") -> Reply:
        return self.request("GET", path)

    def post(self, path: str, form: Mapping[str, str] | None = None) -> Reply:
        return self.request("POST", path, form or {})

    def _store(self, header: str) -> None:
        pair, *attributes = (part.strip() for part in header.split(";"))
        name, _, value = pair.partition("=")
        if any(attr.lower() == "max-age=0" for attr in attributes) or not value:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value
