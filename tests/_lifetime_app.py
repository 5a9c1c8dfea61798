"""The app the lifetime gunicorn test serves: logins, revocation and timeouts.

Configured by environment variables, since gunicorn imports it in each worker:
``SESSIONWARE_TEST_STORE`` (a Redis or database URL), ``SESSIONWARE_TEST_TABLE``,
``SESSIONWARE_TEST_REDIS_URL`` (for the barrier and the cookie revocations) and
``SESSIONWARE_TEST_CLOCK`` (a file holding the Unix time every worker reads: the
test's injectable clock).

``/s/...`` is served with server-side sessions (cookie ``sid``), ``/c/...`` with
signed-cookie sessions that can be revoked (cookie ``session``); both with
idle_timeout=IDLE and absolute_timeout=ABSOLUTE.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import redis

from sessionware import ServerSideSessionInterface, SessionMiddleware
from sessionware.policies.revocation import RevocableCookieSessionInterface
from sessionware.stores import Store
from sessionware.stores.redis import RedisStore
from sessionware.stores.sql import SQLStore
from sessionware.wsgi.middleware import StartResponse, WSGIApp

IDLE = 900
ABSOLUTE = 3600
CHECK_INTERVAL = 30
SECRET = "lifetime-gunicorn-test-secret-long-enough"

CLOCK = Path(os.environ.get("SESSIONWARE_TEST_CLOCK", "/nonexistent"))
STORE_URL = os.environ.get("SESSIONWARE_TEST_STORE", "redis://127.0.0.1:6379/0")
REDIS_URL = os.environ.get("SESSIONWARE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def clock() -> float:
    """The time the test set, shared by every worker."""
    return float(CLOCK.read_text())


store: Store
if STORE_URL.startswith("redis"):
    store = RedisStore(STORE_URL, prefix=os.environ.get("SESSIONWARE_TEST_TABLE", "t") + ":")
else:
    store = SQLStore(STORE_URL, table_name=os.environ["SESSIONWARE_TEST_TABLE"])
barrier = redis.Redis.from_url(REDIS_URL)

server_side = ServerSideSessionInterface(
    store,
    user_key="user_id",
    session_metadata=lambda environ: {"agent": environ.get("HTTP_USER_AGENT", "")},
    clock=clock,
)
cookies = RevocableCookieSessionInterface(
    RedisStore(REDIS_URL, prefix=os.environ.get("SESSIONWARE_TEST_TABLE", "t") + ":c:"),
    check_interval=CHECK_INTERVAL,
    clock=clock,
)


def hold(tag: str) -> None:
    """Count this request as loaded, then wait until the test releases ``tag``."""
    barrier.incr(f"loaded:{tag}")
    deadline = time.monotonic() + 20
    while not barrier.exists(f"release:{tag}") and time.monotonic() < deadline:
        time.sleep(0.005)


def handler(interface: Any) -> WSGIApp:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        session = environ["session"]
        path = environ["PATH_INFO"].split("/")[2:]
        query = environ.get("QUERY_STRING", "")
        answer: Any = None
        if path == ["login"]:
            session["user_id"] = query
            session.regenerate()
        elif path == ["whoami"]:
            answer = session.get("user_id")
        elif path == ["sessions"]:
            answer = [info.handle for info in interface.sessions_of(session.get("user_id"))]
        elif path == ["mine"]:
            answer = interface.handle_of(session)
        elif path == ["revoke-others"]:
            answer = interface.revoke(session["user_id"], keep=session)
        elif path == ["revoke-everywhere"]:
            interface.revoke(session["user_id"])
            session.regenerate()
        elif path == ["held-write"]:
            answer = session.get("user_id")  # loaded before the revocation
            hold(query)
            session[f"late-{os.getpid()}"] = True  # written after it
            if "regenerate" in environ.get("HTTP_X_ALSO", ""):
                session.regenerate()
        body = json.dumps(answer).encode()
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body]

    return app


server_app = SessionMiddleware(
    handler(server_side),
    secret_key=SECRET,
    cookie_name="sid",
    idle_timeout=IDLE,
    absolute_timeout=ABSOLUTE,
    interface=server_side,
)
cookie_app = SessionMiddleware(
    handler(cookies),
    secret_key=SECRET,
    idle_timeout=IDLE,
    absolute_timeout=ABSOLUTE,
    interface=cookies,
)


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    if environ["PATH_INFO"] == "/health":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    target = server_app if environ["PATH_INFO"].startswith("/s/") else cookie_app
    return target(environ, start_response)
