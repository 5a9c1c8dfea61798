"""Store failures under each on_store_error policy, and saving after the response."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from sessionware import (
    STORE_ERROR_KEY,
    MemoryStore,
    ServerSideSessionInterface,
    SessionMiddleware,
    SessionUnavailable,
    StoreError,
    StoreUnavailableSession,
)
from sessionware.stores import StoreRecord
from sessionware.wsgi.middleware import StartResponse

from ._apps import Browser, set_cookies
from .conftest import SECRET, FakeClock


class FlakyStore(MemoryStore):
    """A MemoryStore whose operations fail on demand (fault injection)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failing: set[str] = set()

    def _check(self, operation: str) -> None:
        if operation in self.failing:
            raise StoreError(f"injected failure of {operation}")

    def get(self, sid: str) -> StoreRecord | None:
        self._check("get")
        return super().get(sid)

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        self._check("set")
        return super().set(sid, data, ttl, version)

    def touch(self, sid: str, ttl: int) -> bool:
        self._check("touch")
        return super().touch(sid, ttl)


def browser_for(clock: FakeClock, policy: Any) -> tuple[Browser, FlakyStore]:
    store = FlakyStore(clock=clock)
    interface = ServerSideSessionInterface(store, on_store_error=policy, clock=clock)
    return Browser(clock, interface=interface), store


def test_raise_policy_fails_the_request_when_the_store_cannot_be_read(clock: FakeClock) -> None:
    browser, store = browser_for(clock, "raise")
    browser.request(lambda s: s.__setitem__("user", 1))
    store.failing.add("get")
    with pytest.raises(StoreError, match="injected failure of get"):
        browser.request(lambda s: s.get("user"))


def test_raise_policy_fails_the_request_when_the_store_cannot_be_written(
    clock: FakeClock,
) -> None:
    browser, store = browser_for(clock, "raise")
    browser.request(lambda s: s.__setitem__("user", 1))
    store.failing.add("set")
    with pytest.raises(StoreError, match="injected failure of set"):
        browser.request(lambda s: s.__setitem__("user", 2))
    store.failing.clear()
    assert browser.request(lambda s: s["user"]).text == "1"


def test_null_policy_gives_a_read_only_session_and_says_why(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    browser, store = browser_for(clock, "null")
    browser.request(lambda s: s.__setitem__("user", 1))
    store.failing.add("get")
    seen: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        session = environ["session"]
        seen["user"] = session.get("user")
        seen["real"] = session.loaded
        seen["error"] = environ.get(STORE_ERROR_KEY)
        with pytest.raises(SessionUnavailable, match="session store could not be reached"):
            session["user"] = 2
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    middleware = SessionMiddleware(app, secret_key=SECRET, interface=browser.middleware.interface)
    client = Client(middleware, use_cookies=False)
    response = client.get("/", headers={"Cookie": f"session={browser.cookie()}"})
    assert response.status_code == 200
    assert set_cookies(response) == []
    assert seen["user"] is None
    assert isinstance(seen["real"], StoreUnavailableSession)
    assert isinstance(seen["error"], StoreError)
    assert "injected failure of get" in session_log.text
    store.failing.clear()
    assert browser.request(lambda s: s["user"]).text == "1"  # nothing was overwritten


def test_null_policy_drops_a_failed_save_without_a_cookie(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    browser, store = browser_for(clock, "null")
    browser.request(lambda s: s.__setitem__("user", 1))
    store.failing.add("set")
    response = browser.request(lambda s: s.__setitem__("user", 2))
    assert response.status_code == 200
    assert set_cookies(response) == []
    assert "were not saved" in session_log.text
    store.failing.clear()
    assert browser.request(lambda s: s["user"]).text == "1"


def test_a_failed_touch_follows_the_policy(clock: FakeClock) -> None:
    browser, store = browser_for(clock, "raise")
    browser.request(lambda s: s.__setitem__("user", 1))
    store.failing.add("touch")
    clock.advance(3600)
    with pytest.raises(StoreError, match="touch"):
        browser.request(lambda s: s["user"])


def streaming_app(before: Any, during: Any) -> Any:
    """Changes the session before the body starts and again while it streams."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        session = environ["session"]
        before(session)
        start_response("200 OK", [("Content-Type", "text/plain")])

        def body() -> Iterator[bytes]:
            yield b"first chunk"
            during(session)
            yield b"second chunk"

        return body()

    return app


def stream(clock: FakeClock, store: MemoryStore, before: Any, during: Any, **kw: Any) -> Client:
    interface = ServerSideSessionInterface(store, clock=clock, **kw)
    middleware = SessionMiddleware(
        streaming_app(before, during), secret_key=SECRET, interface=interface
    )
    return Client(middleware)


def records(store: MemoryStore) -> list[str]:
    return [record[0] for record in store._records.values()]


def test_changes_made_while_the_body_streams_are_saved_at_close(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    client = stream(clock, store, lambda s: s.__setitem__("a", 1), lambda s: s.__setitem__("b", 2))
    response = client.get("/", buffered=True)
    assert response.get_data() == b"first chunksecond chunk"
    assert set_cookies(response)
    assert records(store) == ['{"a":1,"b":2}']
    client.get("/", buffered=True)  # a request that changes nothing new while streaming
    assert records(store) == ['{"a":1,"b":2}']


def test_streamed_changes_of_a_loaded_session_are_saved(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    client = stream(clock, store, lambda s: s.setdefault("cart", []), lambda s: None)
    client.get("/", buffered=True)
    client2 = stream(clock, store, lambda s: s.get("cart"), lambda s: s["cart"].append(7))
    client2.set_cookie("session", client.get_cookie("session").value)  # type: ignore[union-attr]
    client2.get("/", buffered=True)
    assert records(store) == ['{"cart":[7]}']


def test_a_new_session_first_written_while_streaming_is_not_stored(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    store = MemoryStore(clock=clock)
    client = stream(clock, store, lambda s: s.get("a"), lambda s: s.__setitem__("b", 2))
    response = client.get("/", buffered=True)
    assert set_cookies(response) == []
    assert records(store) == []
    assert "its cookie cannot be sent" in session_log.text


def test_regenerate_while_streaming_keeps_the_id_and_warns(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    store = MemoryStore(clock=clock)
    first = stream(clock, store, lambda s: s.__setitem__("a", 1), lambda s: None)
    first.get("/", buffered=True)
    (sid,) = store._records

    def late(session: Any) -> None:
        session["b"] = 2
        session.regenerate()

    client = stream(clock, store, lambda s: s.get("a"), late)
    client.set_cookie("session", first.get_cookie("session").value)  # type: ignore[union-attr]
    client.get("/", buffered=True)
    assert list(store._records) == [sid]
    assert records(store) == ['{"a":1,"b":2}']
    assert "regenerate() was called after the response headers were sent" in session_log.text


def test_invalidate_while_streaming_still_ends_the_stored_session(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    first = stream(clock, store, lambda s: s.__setitem__("a", 1), lambda s: None)
    first.get("/", buffered=True)
    client = stream(clock, store, lambda s: s.get("a"), lambda s: s.invalidate())
    client.set_cookie("session", first.get_cookie("session").value)  # type: ignore[union-attr]
    client.get("/", buffered=True)
    assert records(store) == []


@pytest.mark.parametrize("policy", ["raise", "null"])
def test_a_failed_save_at_close_follows_the_policy(
    clock: FakeClock, session_log: pytest.LogCaptureFixture, policy: str
) -> None:
    store = FlakyStore(clock=clock)

    def fail_then_write(session: Any) -> None:
        store.failing.add("set")
        session["b"] = 2

    client = stream(
        clock, store, lambda s: s.__setitem__("a", 1), fail_then_write, on_store_error=policy
    )
    if policy == "raise":
        with pytest.raises(StoreError):
            client.get("/", buffered=True)
    else:
        client.get("/", buffered=True)
        assert "while the response streamed were not saved" in session_log.text
    assert records(store) == ['{"a":1}']
