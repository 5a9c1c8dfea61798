"""Many concurrent writers to one session on a real Redis, with the default settings.

64 threads (one per concurrent request) open the same session, then all save at
once, each a key of its own. Every save must succeed and every key be kept.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from sessionware import ServerSideSession, ServerSideSessionInterface, SessionConfig
from sessionware.stores.redis import RedisStore
from tests._redis_server import scratch_store

from .conftest import SECRET

CONFIG = SessionConfig(secret_key=SECRET)
WRITERS = 64


@pytest.fixture
def store(redis_url: str) -> Iterator[RedisStore]:
    with scratch_store(redis_url, max_connections=WRITERS) as store:
        yield store


def test_64_concurrent_writers_to_one_session_all_succeed(store: RedisStore) -> None:
    interface = ServerSideSessionInterface(store)  # default max_retries and backoff
    first = interface.open_session(CONFIG, {})
    assert isinstance(first, ServerSideSession)
    first["user"] = "ada"
    headers: list[tuple[str, str]] = []
    interface.save_session(CONFIG, first, headers)
    cookie = {"HTTP_COOKIE": headers[-1][1].split(";")[0]}

    opened = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def request(n: int) -> None:
        try:
            session = interface.open_session(CONFIG, dict(cookie))
            assert isinstance(session, ServerSideSession)
            session[f"writer-{n}"] = n
            opened.wait(timeout=30)  # every request has read the same version
            interface.save_session(CONFIG, session, [])
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    final = interface.open_session(CONFIG, dict(cookie))
    assert final is not None
    assert dict(final) == {"user": "ada", **{f"writer-{n}": n for n in range(WRITERS)}}
