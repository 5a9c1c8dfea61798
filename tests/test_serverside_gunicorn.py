"""A real gunicorn, several workers and threads: concurrent requests of one session.

Each request changes a different key of the same session; the requests load the
session, wait until all of them have, then save. Versioned saves keep every change;
the same run with last-writer-wins saves (what other libraries do) loses them.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sessionware.stores.sql import SQLStore
from tests._redis_server import RedisServer, free_port, wait_until
from tests.stores.test_sql import POSTGRES_URL, postgres_reachable

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parent.parent
WORKERS, THREADS = 2, 4
CONCURRENT = WORKERS * THREADS
ROUNDS = 3


def request(port: int, path: str, cookie: str | None = None) -> tuple[int, str | None, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie"), response.read()
    finally:
        conn.close()


def answers(port: int) -> bool:
    try:
        return request(port, "/health")[0] == 200
    except OSError:
        return False


@pytest.fixture
def gunicorn(redis_server: RedisServer, request: pytest.FixtureRequest) -> Iterator[int]:
    """gunicorn serving tests/_gunicorn_app.py with the save mode given as param."""
    port = free_port()
    table = f"sessionware_gunicorn_{secrets.token_hex(6)}"
    if "://" in request.param:
        SQLStore(request.param, table_name=table).close()  # created once, not by each worker
    env = dict(
        os.environ,
        SESSIONWARE_TEST_REDIS_URL=redis_server.url,
        SESSIONWARE_TEST_SAVE=request.param,
        SESSIONWARE_TEST_BARRIER=str(CONCURRENT),
        SESSIONWARE_TEST_TABLE=table,
    )
    # worker_connections = threads: a worker accepts no more requests than it can run,
    # so the requests spread over both workers and all of them run at once.
    command = [
        sys.executable, "-m", "gunicorn",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(WORKERS), "--threads", str(THREADS), "--worker-class", "gthread",
        "--worker-connections", str(THREADS), "--keep-alive", "0",
        "--log-level", "warning",
        "tests._gunicorn_app:app",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        wait_until(lambda: answers(port), "gunicorn answering", timeout=30)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)
        if "://" in request.param:
            store = SQLStore(request.param, table_name=table)
            store.table.drop(store.engine)
            store.close()


def run_rounds(port: int) -> list[tuple[int, int]]:
    """Send ROUNDS bursts of concurrent requests; return (kept, sent) per burst."""
    status, set_cookie, _ = request(port, "/start")
    assert status == 200
    assert set_cookie is not None
    cookie = set_cookie.split(";")[0]
    results = []
    with ThreadPoolExecutor(CONCURRENT) as pool:
        for run in range(ROUNDS):
            tag = f"{os.getpid()}-{port}-{run}"
            keys = [f"r{run}k{index}" for index in range(CONCURRENT)]
            paths = [f"/set/{tag}/{key}" for key in keys]
            statuses = [
                status for status, _, _ in pool.map(lambda p: request(port, p, cookie), paths)
            ]
            assert statuses == [200] * CONCURRENT
            stored = set(json.loads(request(port, "/keys", cookie)[2]))
            results.append((len(stored & set(keys)), len(keys)))
    return results


@pytest.mark.parametrize("gunicorn", ["versioned"], indirect=True)
def test_versioned_saves_keep_every_concurrent_change(gunicorn: int) -> None:
    assert run_rounds(gunicorn) == [(CONCURRENT, CONCURRENT)] * ROUNDS


@pytest.fixture
def postgres_url() -> str:
    if not postgres_reachable():
        pytest.skip(
            f"PostgreSQL is not reachable at {POSTGRES_URL}; start it or point "
            "SESSIONWARE_TEST_POSTGRES_URL at a database to run this test"
        )
    return POSTGRES_URL


@pytest.mark.parametrize("gunicorn", [POSTGRES_URL], indirect=True)
def test_versioned_saves_in_postgresql_keep_every_concurrent_change(
    postgres_url: str, gunicorn: int
) -> None:
    assert run_rounds(gunicorn) == [(CONCURRENT, CONCURRENT)] * ROUNDS


@pytest.mark.parametrize("gunicorn", ["last-writer-wins"], indirect=True)
def test_last_writer_wins_saves_lose_changes(gunicorn: int) -> None:
    results = run_rounds(gunicorn)
    assert all(kept < sent for kept, sent in results), results


def read_all(port: int, path: str, cookie: str) -> bytes:
    """The body as received, even when the server cuts the connection half-way.

    Asked over HTTP/1.0, gunicorn ends the body by closing the connection, which it
    does only once the app's ``close()`` (where a late change is saved) has returned:
    a request made after this one sees what that saved. (Over HTTP/1.1 the last chunk
    goes out before ``close()`` runs.)
    """
    request = f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n\r\n"
    received = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request.encode("latin-1"))
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass  # the body failed: what came before it is what the client has
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    assert head.startswith((b"HTTP/1.0 200", b"HTTP/1.1 200")), head
    return body


@pytest.mark.parametrize("gunicorn", ["versioned"], indirect=True)
def test_a_body_that_fails_under_gunicorn_commits_no_late_change(gunicorn: int) -> None:
    _, set_cookie, _ = request(gunicorn, "/start")
    assert set_cookie is not None
    cookie = set_cookie.split(";")[0]
    assert read_all(gunicorn, "/stream/fail", cookie).startswith(b"first chunk")
    assert json.loads(request(gunicorn, "/keys", cookie)[2]) == ["early", "started"]
    assert read_all(gunicorn, "/stream/ok", cookie) == b"first chunk\nlast chunk\n"
    assert json.loads(request(gunicorn, "/keys", cookie)[2]) == ["early", "late", "started"]
