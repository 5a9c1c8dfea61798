"""A response body that fails after the headers: its late session changes are not saved."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from werkzeug.test import Client

from sessionware import (
    MemoryStore,
    ServerSideSession,
    ServerSideSessionInterface,
    SessionConfig,
    SessionMiddleware,
    StoreUnavailableSession,
)
from sessionware.wsgi.middleware import StartResponse

from .conftest import SECRET, FakeClock


class BodyFailed(Exception):
    pass


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    session = environ["session"]
    session["before"] = 1
    start_response("200 OK", [("Content-Type", "text/plain")])
    fail = environ["PATH_INFO"] == "/fail"

    def body() -> Iterator[bytes]:
        yield b"first chunk"
        session["during"] = 2
        if fail:
            raise BodyFailed("the body broke half-way")
        yield b"second chunk"

    return body()


def client_for(clock: FakeClock) -> tuple[Client, MemoryStore]:
    store = MemoryStore(clock=clock)
    interface = ServerSideSessionInterface(store, clock=clock)
    return Client(SessionMiddleware(app, secret_key=SECRET, interface=interface)), store


def stored(store: MemoryStore) -> list[str]:
    return [record[0] for record in store._records.values()]


def test_changes_made_before_a_failing_body_raises_are_not_committed(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    client, store = client_for(clock)
    with pytest.raises(BodyFailed):
        client.get("/fail", buffered=True)
    assert stored(store) == ['{"before":1}']  # saved with the headers, nothing after
    assert "not saved" in session_log.text


def test_a_body_closed_before_its_end_commits_nothing_late(clock: FakeClock) -> None:
    client, store = client_for(clock)
    response = client.get("/", buffered=False)
    chunks = iter(response.response)
    assert next(chunks) == b"first chunk"
    assert next(chunks) == b"second chunk"  # the change is made, the body not finished
    response.close()  # the client went away
    assert stored(store) == ['{"before":1}']


def test_a_body_that_completes_commits_its_late_changes(clock: FakeClock) -> None:
    client, store = client_for(clock)
    assert client.get("/", buffered=True).get_data() == b"first chunksecond chunk"
    assert stored(store) == ['{"before":1,"during":2}']


def test_discarding_warns_only_when_something_is_dropped(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    interface = ServerSideSessionInterface(MemoryStore(clock=clock), clock=clock)
    config = SessionConfig(secret_key=SECRET)
    interface.discard_session(config, ServerSideSession({"a": 1}, new=False, sid="s" * 43))
    interface.discard_session(config, StoreUnavailableSession(sid="s" * 43))
    assert session_log.text == ""
    logged_out = StoreUnavailableSession(sid="s" * 43)
    logged_out.invalidate()
    interface.discard_session(config, logged_out)
    assert "are not saved" in session_log.text
