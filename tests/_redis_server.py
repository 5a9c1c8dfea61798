"""A private redis-server on a free loopback port, which tests may stop and restart."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis

from sessionware.stores.redis import _MOVE, _SET, _SETTLE, RedisStore

REDIS_SERVER = shutil.which("redis-server")
SHARED_URL = os.environ.get("SESSIONWARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_until(check: object, what: str, timeout: float = 10.0) -> None:
    """Poll ``check()`` until it is true, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout} seconds")
        time.sleep(0.02)


def reachable(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


class RedisServer:
    """One redis-server process; its data survives :meth:`stop` and :meth:`start`."""

    def __init__(self, directory: Path, binary: str | None = None) -> None:
        self.directory = directory
        #: The server program: redis-server, or a compatible one such as valkey-server.
        self.binary = binary or REDIS_SERVER
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.binary is not None
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port", str(self.port),
                "--bind", "127.0.0.1",
                "--dir", str(self.directory),
                "--save", "",
                "--appendonly", "no",
                "--logfile", str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: reachable(self.url), f"redis-server on port {self.port} answering")

    def stop(self) -> None:
        """Shut the server down, saving its data to disk first (SHUTDOWN SAVE)."""
        client = redis.Redis.from_url(self.url)
        try:
            client.shutdown(save=True)
        except redis.ConnectionError:
            pass  # the server closes the connection as it exits
        finally:
            client.close()
        assert self.process is not None
        self.process.wait(timeout=10)

    def pause(self) -> None:
        """Freeze the server: connections stay open but nothing is answered."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)


@contextmanager
def private_redis(directory: Path) -> Iterator[RedisServer]:
    """Run a private redis-server for the duration; skip when none is installed."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed; install it (apt-get install redis-server)")
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.kill()


@contextmanager
def shared_or_private_redis(directory: Path) -> Iterator[str]:
    """The URL of the shared Redis (:data:`SHARED_URL`) if it answers, else of a private one."""
    if reachable(SHARED_URL):
        yield SHARED_URL
        return
    with private_redis(directory) as server:
        yield server.url


@contextmanager
def scratch_store(url: str, **options: Any) -> Iterator[RedisStore]:
    """A :class:`RedisStore` under a prefix of its own, whose keys are deleted after.

    The prefix keeps runs from seeing each other's keys on a shared server.
    """
    store = RedisStore(url, prefix=f"sessionware-test:{secrets.token_hex(8)}:", **options)
    try:
        yield store
        keys = list(store.client.scan_iter(match=store.prefix + "*"))
        if keys:
            store.client.delete(*keys)
    finally:
        store.close()


# Fixtures for the tests that stop a private server mid-request (SIGSTOP); a test module
# takes them by importing them: ``from tests._redis_server import admin, server``.


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    """A private redis-server the test may pause, resume or kill."""
    with private_redis(tmp_path) as running:
        yield running


@pytest.fixture
def admin(server: RedisServer) -> Iterator[redis.Redis]:
    """A client of ``server`` with the store's scripts loaded.

    As on a server that has run a while: a stalled EVALSHA then runs when the server
    resumes, instead of failing with NOSCRIPT (after which nothing would land).
    """
    client = redis.Redis.from_url(server.url)
    for script in (_SET, _MOVE, _SETTLE):
        client.script_load(script)
    yield client
    client.close()


def stored(admin: redis.Redis) -> list[dict[str, Any]]:
    """The data of every session record (``session:*``) in the server."""
    found = []
    for key in admin.scan_iter(match="session:*"):
        data = admin.hget(key, "d")
        if data is not None:
            found.append(json.loads(data))
    return found
