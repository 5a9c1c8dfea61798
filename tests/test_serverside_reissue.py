"""A server-side session's cookie re-sent with the same ID never fails the request.

The cookie holds only the signed session ID, so when its ``Set-Cookie`` no longer
fits (``cookie_domain`` or ``cookie_secure`` added, say), the browser's cookie still
names the right record: the re-send is skipped with a warning, as for a signed
cookie's re-issue of unchanged data. A cookie with a new ID (a new session,
``regenerate()``) is not a re-issue.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from sessionware import ServerSideSessionInterface
from sessionware.stores import MemoryStore

from ._apps import Browser, set_cookies
from .conftest import FakeClock

OLD_KEY = "the-old-secret-key-of-this-application"


def server_side(clock: FakeClock, store: MemoryStore, **settings: Any) -> Browser:
    interface = ServerSideSessionInterface(store, clock=clock, touch_interval=0)
    return Browser(clock, interface, **settings)


def logged_in(clock: FakeClock, store: MemoryStore, **settings: Any) -> tuple[str, int]:
    """A permanent session's cookie, and the size of its ``Set-Cookie``."""
    writer = server_side(clock, store, **settings)
    (header,) = set_cookies(writer.request(lambda s: s.update(user="ada", _permanent=True)))
    value = writer.cookie()
    assert value is not None
    return value, len(header)


def test_a_touch_that_no_longer_fits_keeps_the_cookie_and_logs(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    store = MemoryStore(clock=clock)
    value, size = logged_in(clock, store)
    reader = server_side(clock, store, cookie_domain="example.com", max_cookie_size=size + 5)
    clock.advance(60)
    response = reader.request(lambda s: s["user"], cookie_header=f"session={value}")
    assert response.status_code == 200
    assert response.text == "'ada'"
    assert set_cookies(response) == []
    (record,) = session_log.records
    assert record.levelno == logging.WARNING
    assert "max_cookie_size" in record.getMessage()
    assert value not in record.getMessage()
    assert value.split(".")[0] not in record.getMessage()


def test_a_re_sign_with_the_current_key_that_no_longer_fits_keeps_the_cookie(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    store = MemoryStore(clock=clock)
    value, size = logged_in(clock, store, secret_key=OLD_KEY)
    reader = server_side(
        clock,
        store,
        secret_key_fallbacks=[OLD_KEY],
        refresh_each_request=False,
        cookie_secure=True,
        max_cookie_size=size,
    )
    response = reader.request(lambda s: s["user"], cookie_header=f"session={value}")
    assert response.status_code == 200
    assert response.text == "'ada'"
    assert set_cookies(response) == []
    assert "max_cookie_size" in session_log.records[0].getMessage()


def test_a_change_saved_under_the_same_id_keeps_the_cookie_and_is_stored(
    clock: FakeClock,
) -> None:
    store = MemoryStore(clock=clock)
    value, size = logged_in(clock, store)
    reader = server_side(clock, store, cookie_domain="example.com", max_cookie_size=size + 5)
    response = reader.request(
        lambda s: s.__setitem__("cart", [1]), cookie_header=f"session={value}"
    )
    assert response.status_code == 200
    assert set_cookies(response) == []
    # The browser's cookie still names the record, which holds the change.
    response = reader.request(lambda s: s["cart"], cookie_header=f"session={value}")
    assert response.text == "[1]"
