"""The plain example under real servers over real HTTP: gunicorn, waitress and uWSGI.

Several worker processes (and threads) must agree on every session, which only works
when they share the secret key from the environment; many users at once must never
see each other's data.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests._servers import BIN, DEADLINE, ROOT, Browser, Server, clean_env, gunicorn_server
from tests.conftest import tampered

pytestmark = pytest.mark.server

SECRET = "a-server-test-secret-that-is-long-enough"
PAGE = re.compile(
    r"Hello, (?P<name>[^.]+)\. Visits: (?P<visits>\d+)\. \(Served by process (?P<pid>\d+)\.\)"
)
UWSGI = shutil.which("uwsgi", path=str(BIN)) or shutil.which("uwsgi")


def page(browser: Browser) -> tuple[str, int, int]:
    """GET / and return (name, visits, pid) from the page."""
    reply = browser.get("/")
    assert reply.status == 200, reply
    match = PAGE.search(reply.body)
    assert match, reply.body
    return match["name"], int(match["visits"]), int(match["pid"])


def gunicorn() -> Server:
    return gunicorn_server(
        "-c",
        "examples/gunicorn.conf.py",
        "--threads",
        "4",
        env=clean_env(SESSIONWARE_SECRET_KEY=SECRET),
        workers=3,
    )


def waitress() -> Server:
    return Server(
        [
            str(BIN / "waitress-serve"),
            "--listen=127.0.0.1:0",
            "--threads=4",
            "examples.plain_app:app",
        ],
        r"Serving on http://127\.0\.0\.1:(?P<port>\d+)",
        env=clean_env(SESSIONWARE_SECRET_KEY=SECRET),
    )


def uwsgi() -> Server:
    if UWSGI is None:
        pytest.skip("uwsgi is not installed (pip install uwsgi; it compiles with gcc)")
    return Server(
        [UWSGI, "--ini", "examples/uwsgi.ini"],
        r"bound to TCP address 127\.0\.0\.1:(?P<port>\d+)",
        env=clean_env(SESSIONWARE_SECRET_KEY=SECRET, UWSGI_HTTP_SOCKET="127.0.0.1:0"),
    )


SERVERS = [
    pytest.param(gunicorn, id="gunicorn"),
    pytest.param(waitress, id="waitress"),
    pytest.param(uwsgi, id="uwsgi"),
]


def visit_login_logout(browser: Browser, name: str, visits: int) -> set[int]:
    """One user's whole story; returns the pids of the processes that served it."""
    pids = set()
    for expected in range(1, visits + 1):
        seen_name, seen_visits, pid = page(browser)
        assert (seen_name, seen_visits) == ("stranger", expected)
        pids.add(pid)
    before = dict(browser.cookies)
    reply = browser.post("/login", {"username": name})
    assert reply.status == 303
    assert browser.cookies["session"] != before["session"]
    for expected in range(visits + 1, 2 * visits + 1):
        seen_name, seen_visits, pid = page(browser)
        assert (seen_name, seen_visits) == (name, expected)
        pids.add(pid)
    reply = browser.post("/logout")
    assert reply.status == 303
    assert "session" not in browser.cookies, reply.header_values("Set-Cookie")
    assert page(browser)[:2] == ("stranger", 1)
    return pids


@pytest.mark.parametrize("start", SERVERS)
def test_one_user_keeps_the_session_across_requests(start: Callable[[], Server]) -> None:
    with start() as server:
        browser = Browser(server.url)
        visit_login_logout(browser, "alice", 4)
        # A cookie that was tampered with is a fresh session, not an error page.
        browser.cookies["session"] = tampered(browser.cookies["session"])
        assert page(browser)[:2] == ("stranger", 1)


@pytest.mark.parametrize("start", SERVERS)
def test_many_users_at_once_each_see_only_their_own_session(start: Callable[[], Server]) -> None:
    users = [f"user{index}" for index in range(12)]
    with start() as server, ThreadPoolExecutor(len(users)) as pool:
        list(pool.map(lambda name: visit_login_logout(Browser(server.url), name, 5), users))


@pytest.mark.parametrize(
    "start",
    [param for param in SERVERS if param.id != "waitress"],  # waitress: one process
)
def test_a_session_written_by_one_worker_process_is_read_by_another(
    start: Callable[[], Server],
) -> None:
    # Which worker takes a connection is the kernel's choice: keep several browsers
    # busy until one of them has been served by two processes, within a deadline.
    moved = threading.Event()
    deadline = time.monotonic() + DEADLINE

    def browse(browser: Browser) -> None:
        pids = set()
        visits = 0
        while not moved.is_set() and time.monotonic() < deadline:
            name, seen, pid = page(browser)
            visits += 1
            assert (name, seen) == ("stranger", visits), f"session lost in process {pid}"
            pids.add(pid)
            if len(pids) >= 2:
                moved.set()

    with start() as server, ThreadPoolExecutor(8) as pool:
        list(pool.map(browse, [Browser(server.url) for _ in range(8)]))
    assert moved.is_set(), "no session was served by two worker processes"


def test_gunicorn_config_refuses_to_start_without_a_secret_key() -> None:
    done = subprocess.run(
        [str(BIN / "gunicorn"), "-c", "examples/gunicorn.conf.py", "--check-config"],
        cwd=ROOT,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert done.returncode != 0
    assert "set SESSIONWARE_SECRET_KEY" in done.stderr


def test_uwsgi_config_refuses_to_start_without_a_secret_key() -> None:
    if UWSGI is None:
        pytest.skip("uwsgi is not installed (pip install uwsgi; it compiles with gcc)")
    done = subprocess.run(
        [UWSGI, "--ini", "examples/uwsgi.ini"],
        cwd=ROOT,
        env=clean_env(UWSGI_HTTP_SOCKET="127.0.0.1:0"),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert done.returncode != 0
    assert "set SESSIONWARE_SECRET_KEY" in done.stdout + done.stderr
