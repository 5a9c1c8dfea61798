"""The async twin of tests/test_serverside_unanswered_save.py: a save a stalled Redis
did not answer is never reported lost under ASGI either.

The server is stopped with SIGSTOP while the handler runs, so the save's commands wait
in its socket, time out in the client, and run when the server resumes. The store is
then asked (``settle``); while Redis still does not answer, the outcome is "may have
been saved", never "not saved".
"""

from __future__ import annotations

from typing import Any

import pytest
import redis

from sessionware import SessionConfig
from sessionware.asgi import AsyncServerSideSessionInterface, SessionMiddleware
from sessionware.stores import StoreError, UnconfirmedWrite
from sessionware.stores.aioredis import AsyncRedisStore
from tests import _redis_server
from tests._redis_server import RedisServer, stored
from tests.conftest import SECRET

from ._asgi import endpoint, http_scope, run

pytestmark = pytest.mark.anyio

TIMEOUT = 0.3

# Fixtures shared with the other stalled-Redis tests (tests/_redis_server.py).
admin = _redis_server.admin
server = _redis_server.server


@pytest.mark.parametrize("policy", ["raise", "null"])
async def test_an_async_save_redis_runs_after_the_timeout_is_never_reported_not_saved(
    server: RedisServer, admin: redis.Redis, policy: Any, session_log: pytest.LogCaptureFixture
) -> None:
    store = AsyncRedisStore(server.url, timeout=TIMEOUT, retries=0, prefix="session:")
    interface = AsyncServerSideSessionInterface(store, on_store_error=policy)

    def app(handler: Any) -> SessionMiddleware:
        return SessionMiddleware(
            endpoint(handler), SessionConfig(secret_key=SECRET), interface=interface
        )

    cookie = (await run(app(lambda s: s.__setitem__("user", "alice")), http_scope())).cookie()
    assert cookie

    def add_and_stall(session: Any) -> None:
        session["cart"] = ["pen"]
        server.pause()

    try:
        if policy == "raise":
            with pytest.raises(StoreError, match="may have been applied") as caught:
                await run(app(add_and_stall), http_scope(f"session={cookie}"))
            assert isinstance(caught.value, UnconfirmedWrite)
        else:
            reply = await run(app(add_and_stall), http_scope(f"session={cookie}"))
            assert reply.status == 200
            assert "The session's changes may have been saved" in session_log.text
        # The outcome is never reported as lost (the late-changes warning of a failed
        # response is about changes made after the headers, of which there were none).
        assert "were not saved" not in session_log.text
    finally:
        server.resume()
    # What the stalled server held in its socket ran when it resumed: the save landed.
    assert stored(admin) == [{"cart": ["pen"], "user": "alice"}]
    await store.close()
