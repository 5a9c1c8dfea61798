"""Session lifetime under a real gunicorn with several workers, on real Redis and PostgreSQL.

Two browsers of "ada" and one of "bob". Logging ada's other devices out ends exactly
her other session, also while requests of that session are in flight; idle and
absolute timeouts fire at the right moment of a clock that every worker reads from a
file the test moves. Consecutive requests of one browser reach any worker.
"""

from __future__ import annotations

import http.client
import json
import secrets
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from sessionware.stores.sql import SQLStore
from tests._lifetime_app import ABSOLUTE, CHECK_INTERVAL, IDLE
from tests._redis_server import RedisServer, wait_until
from tests._servers import BIN, Browser, Server, clean_env
from tests.stores.test_sql import POSTGRES_URL, postgres_reachable

pytestmark = pytest.mark.server

WORKERS, THREADS = 3, 4
IN_FLIGHT = 6


class Clock:
    """The injectable clock of every worker: a file holding the Unix time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.now = float(int(time.time()))
        self.set(self.now)

    def set(self, now: float) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(repr(now))
        tmp.replace(self.path)  # atomic: a worker never reads half a number
        self.now = now

    def advance(self, seconds: float) -> None:
        self.set(self.now + seconds)


@pytest.fixture(scope="module", params=["redis", "postgresql"])
def served(
    request: pytest.FixtureRequest,
    redis_server: RedisServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[str, Clock]]:
    """gunicorn serving tests/_lifetime_app.py, its sessions in Redis or PostgreSQL."""
    table = f"sessionware_lifetime_{secrets.token_hex(6)}"
    if request.param == "postgresql":
        if not postgres_reachable():
            pytest.skip(
                f"PostgreSQL is not reachable at {POSTGRES_URL}; start it or point "
                "SESSIONWARE_TEST_POSTGRES_URL at a database to run this test"
            )
        store_url = POSTGRES_URL
        store = SQLStore(store_url, table_name=table)  # created once, not by each worker
        store.user_index()
    else:
        store_url = redis_server.url
    clock = Clock(tmp_path_factory.mktemp("clock") / "clock")
    env = clean_env(
        SESSIONWARE_TEST_STORE=store_url,
        SESSIONWARE_TEST_TABLE=table,
        SESSIONWARE_TEST_REDIS_URL=redis_server.url,
        SESSIONWARE_TEST_CLOCK=str(clock.path),
    )
    command = [
        str(BIN / "gunicorn"),
        "--bind", "127.0.0.1:0",
        "--workers", str(WORKERS), "--threads", str(THREADS), "--worker-class", "gthread",
        # A worker accepts no more requests than it has threads, so held requests
        # spread over the workers instead of queueing behind each other.
        "--worker-connections", str(THREADS), "--keep-alive", "0", "--no-control-socket",
        "tests._lifetime_app:app",
    ]  # fmt: skip
    try:
        with Server(command, r"Listening at: http://127\.0\.0\.1:(?P<port>\d+)", env=env) as server:
            wait_until(lambda: Browser(server.url).get("/health").status == 200, "gunicorn")
            yield server.url, clock
    finally:
        if request.param == "postgresql":
            index = store.user_index()
            for table_ in (store.table, index.users, index.not_before_table):  # type: ignore[attr-defined]
                table_.drop(store.engine, checkfirst=True)
            store.close()


@pytest.fixture
def ada() -> str:
    """A user name of this test's own: the server and its store outlive the test."""
    return f"ada-{secrets.token_hex(4)}"


@pytest.fixture
def bob() -> str:
    return f"bob-{secrets.token_hex(4)}"


def answer(browser: Browser, path: str) -> object:
    reply = browser.get(path)
    assert reply.status == 200, reply.body
    return json.loads(reply.body)


def logged_in(url: str, prefix: str, user: str) -> Browser:
    browser = Browser(url)
    answer(browser, f"/{prefix}/login?{user}")
    assert answer(browser, f"/{prefix}/whoami") == user
    return browser


def test_log_out_other_devices_ends_exactly_adas_other_session(
    served: tuple[str, Clock], ada: str, bob: str
) -> None:
    url, _ = served
    phone, laptop, bobs = (logged_in(url, "s", user) for user in (ada, ada, bob))
    handles = answer(phone, "/s/sessions")
    assert isinstance(handles, list)
    assert len(handles) == 2
    assert answer(phone, "/s/mine") in handles
    assert all(handle not in cookie for handle in handles for cookie in phone.cookies.values())

    assert answer(phone, "/s/revoke-others") == 1
    assert [answer(b, "/s/whoami") for b in (phone, laptop, bobs)] == [ada, None, bob]
    assert answer(phone, "/s/sessions") == [answer(phone, "/s/mine")]
    assert len(answer(bobs, "/s/sessions")) == 1  # type: ignore[arg-type]


@pytest.mark.parametrize("also", ["write", "regenerate"])
def test_requests_in_flight_during_the_revocation_do_not_resurrect_it(
    served: tuple[str, Clock], redis_server: RedisServer, also: str, ada: str
) -> None:
    url, _ = served
    phone, laptop = logged_in(url, "s", ada), logged_in(url, "s", ada)
    tag = secrets.token_hex(6)
    barrier = redis.Redis.from_url(redis_server.url)

    def held() -> tuple[int, object]:
        host, port = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            cookie = "; ".join(f"{k}={v}" for k, v in laptop.cookies.items())
            conn.request("GET", f"/s/held-write?{tag}", headers={"Cookie": cookie, "X-Also": also})
            response = conn.getresponse()
            return response.status, json.loads(response.read())
        finally:
            conn.close()

    with ThreadPoolExecutor(IN_FLIGHT) as pool:
        futures = [pool.submit(held) for _ in range(IN_FLIGHT)]
        # Every request has loaded ada's laptop session before the revocation runs.
        wait_until(lambda: int(barrier.get(f"loaded:{tag}") or 0) == IN_FLIGHT, "all loaded")
        assert answer(phone, "/s/revoke-others") == 1
        barrier.set(f"release:{tag}", 1)
        results = [future.result() for future in futures]
    assert results == [(200, ada)] * IN_FLIGHT  # they ran, with the session they loaded
    assert answer(laptop, "/s/whoami") is None  # ... but it stays ended
    assert answer(phone, "/s/sessions") == [answer(phone, "/s/mine")]
    assert answer(phone, "/s/whoami") == ada
    barrier.close()


@pytest.mark.parametrize("prefix", ["s", "c"], ids=["server-side", "cookie"])
def test_idle_timeout_fires_at_the_right_moment(
    served: tuple[str, Clock], prefix: str, ada: str
) -> None:
    url, clock = served
    browser = logged_in(url, prefix, ada)
    stale = Browser(url, dict(browser.cookies))
    for _ in range(3):
        clock.advance(IDLE)  # exactly the idle timeout: still valid, and renewed
        assert answer(browser, f"/{prefix}/whoami") == ada
    assert answer(stale, f"/{prefix}/whoami") is None  # a copy that was not renewed
    clock.advance(IDLE + 1)
    assert answer(browser, f"/{prefix}/whoami") is None


@pytest.mark.parametrize("prefix", ["s", "c"], ids=["server-side", "cookie"])
def test_absolute_timeout_fires_at_the_right_moment(
    served: tuple[str, Clock], prefix: str, ada: str
) -> None:
    url, clock = served
    browser = logged_in(url, prefix, ada)
    for _ in range(2):  # the second time after logging in again, which restarts the clock
        login = clock.now
        while clock.now + IDLE <= login + ABSOLUTE:
            clock.advance(IDLE)
            assert answer(browser, f"/{prefix}/whoami") == ada
        clock.set(login + ABSOLUTE)
        assert answer(browser, f"/{prefix}/whoami") == ada
        clock.advance(1)
        assert answer(browser, f"/{prefix}/whoami") is None
        answer(browser, f"/{prefix}/login?{ada}")


def test_cookie_revocation_reaches_every_worker_within_the_check_interval(
    served: tuple[str, Clock], ada: str, bob: str
) -> None:
    url, clock = served
    here, there = logged_in(url, "c", ada), logged_in(url, "c", ada)
    bobs = logged_in(url, "c", bob)
    clock.advance(5)
    answer(here, "/c/revoke-everywhere")
    assert answer(here, "/c/whoami") == ada  # regenerated after the revocation
    clock.advance(CHECK_INTERVAL)  # every worker's cached time is now stale
    assert [answer(b, "/c/whoami") for b in (here, there, bobs)] == [ada, None, bob]
