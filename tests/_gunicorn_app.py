"""The app the gunicorn test serves: each request sets one key of one shared session.

Configured by environment variables, since gunicorn imports it in each worker:
``SESSIONWARE_TEST_REDIS_URL``; ``SESSIONWARE_TEST_SAVE``, which is ``versioned`` or
``last-writer-wins`` on Redis, or a database URL for versioned saves in SQL (in the
table ``SESSIONWARE_TEST_TABLE``); and ``SESSIONWARE_TEST_BARRIER``, how many requests
wait for each other after loading the session, so that all of them overlap.
``/stream/ok`` and ``/stream/fail`` change the session while their body streams.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

import redis

from sessionware import ServerSideSessionInterface, SessionMiddleware
from sessionware.stores import Store
from sessionware.stores.redis import RedisStore
from sessionware.stores.sql import SQLStore
from sessionware.wsgi.middleware import StartResponse

REDIS_URL = os.environ.get("SESSIONWARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SAVE = os.environ.get("SESSIONWARE_TEST_SAVE", "versioned")
BARRIER = int(os.environ.get("SESSIONWARE_TEST_BARRIER", "1"))


class LastWriterWinsStore(RedisStore):
    """What Beaker, Flask-Session and Django do: a save overwrites whatever is stored."""

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        key = self.prefix + sid
        pipe = self.client.pipeline()
        pipe.hset(key, "d", data)
        pipe.hincrby(key, "v", 1)
        pipe.expire(key, ttl)
        return int(pipe.execute()[1])


store: Store
if "://" in SAVE:
    store = SQLStore(SAVE, table_name=os.environ["SESSIONWARE_TEST_TABLE"])
else:
    store = (LastWriterWinsStore if SAVE == "last-writer-wins" else RedisStore)(REDIS_URL)
barriers = redis.Redis.from_url(REDIS_URL)


def wait_for_the_others(run: str) -> None:
    """Hold this request until BARRIER requests of ``run`` have loaded the session."""
    key = f"barrier:{run}"
    barriers.incr(key)
    deadline = time.monotonic() + 10
    while int(barriers.get(key) or 0) < BARRIER and time.monotonic() < deadline:
        time.sleep(0.005)


class BodyFailed(Exception):
    pass


def streaming(session: Any, fail: bool) -> Iterator[bytes]:
    """A body that changes the session after its first chunk, then fails or ends."""
    yield b"first chunk\n"
    session["late"] = True
    if fail:
        raise BodyFailed("the body broke after its first chunk")
    yield b"last chunk\n"


def handler(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    session = environ["session"]
    path = environ["PATH_INFO"]
    if path in ("/stream/fail", "/stream/ok"):
        session["early"] = True
        start_response("200 OK", [("Content-Type", "text/plain")])
        return streaming(session, fail=path == "/stream/fail")
    if path == "/start":
        session["started"] = True
    elif path.startswith("/set/"):
        _, _, run, key = path.split("/")
        session.get("started")  # load the session now, before the others save
        wait_for_the_others(run)
        session[key] = os.getpid()
    body = json.dumps(sorted(session) if path == "/keys" else "ok").encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


app = SessionMiddleware(
    handler,
    secret_key="gunicorn-test-secret-that-is-long-enough",
    interface=ServerSideSessionInterface(store),
)
