"""The Redis store against the raw redis-py round trips it needs, on the same server.

Store calls are timed against one raw round trip each (``GET`` for a read, ``SET``
for a write), and whole requests through :class:`~sessionware.SessionMiddleware`
with a :class:`~sessionware.ServerSideSessionInterface` are timed above the bare app
against the raw round trips such a request makes: a read is one ``GET``, a write a
``GET`` and a ``SET``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyperf

from sessionware import ServerSideSessionInterface, SessionMiddleware, TaggedJSONSerializer

from .common import DATA, SECRET, cookie_environ, run_once, start_response
from .contestants import bare

__all__ = ["PAIRS", "REDIS_URL", "redis_cases", "time_call"]

REDIS_URL = "redis://127.0.0.1:6379/0"
_PREFIX = "sessionware-bench:"
_TTL = 3600

#: (what sessionware does, the raw round trips it needs), as named in redis_cases().
PAIRS = (
    ("store read (RedisStore.get)", "store-get", "raw-get", "GET"),
    ("store write (RedisStore.set)", "store-set", "raw-set", "SET"),
    ("request, read a key", "request-read", "raw-get", "GET"),
    ("request, write a key", "request-write", "raw-get-set", "GET + SET"),
)


def time_call(loops: int, call: Callable[[], object]) -> float:
    """pyperf time function: ``call()`` ``loops`` times."""
    timer: Callable[[], float] = pyperf.perf_counter
    started = timer()
    for _ in range(loops):
        call()
    return timer() - started


def _request(app: Any, environ: dict[str, Any]) -> Callable[[], object]:
    copy = environ.copy

    def call() -> object:
        result = app(copy(), start_response)
        for _chunk in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
        return None

    return call


def redis_cases() -> dict[str, Callable[[], object]] | None:
    """The calls to time, or ``None`` when no Redis answers at :data:`REDIS_URL`."""
    try:
        import redis

        from sessionware.stores.redis import RedisStore
    except ImportError:
        return None
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        return None
    store = RedisStore(client=client, prefix=_PREFIX)
    text = TaggedJSONSerializer().dumps(DATA)
    sid = "bench-" + "x" * 37
    store.delete(sid)
    version = store.set(sid, text, _TTL, None)
    raw_key = _PREFIX + "raw"
    client.set(raw_key, text, ex=_TTL)

    def store_set() -> object:
        nonlocal version
        version = store.set(sid, text, _TTL, version)
        if version is None:  # pragma: no cover - another writer got in between
            record = store.get(sid)
            version = None if record is None else record.version
        return version

    def raw_get_set() -> object:
        client.get(raw_key)
        return client.set(raw_key, text, ex=_TTL)

    interface = ServerSideSessionInterface(store)

    def session_app(handler: Callable[[Any], object]) -> Any:
        def app(environ: dict[str, Any], start: Any) -> list[bytes]:
            handler(environ["session"])
            start("200 OK", [("Content-Type", "text/plain")])
            return [b"hello"]

        return SessionMiddleware(app, secret_key=SECRET, interface=interface)

    login = session_app(lambda session: session.update(DATA))
    _, headers, _ = run_once(login, cookie_environ(None))
    cookie = next(value for name, value in headers if name == "Set-Cookie").split(";")[0]
    environ = cookie_environ(cookie)

    def write(session: Any) -> None:
        session["flash"] = "Saved."

    return {
        "store-get": lambda: store.get(sid),
        "raw-get": lambda: client.get(raw_key),
        "store-set": store_set,
        "raw-set": lambda: client.set(raw_key, text, ex=_TTL),
        "raw-get-set": raw_get_set,
        "request-bare": _request(bare, environ),
        "request-read": _request(session_app(lambda session: session.get("user_id")), environ),
        "request-write": _request(session_app(write), environ),
    }
