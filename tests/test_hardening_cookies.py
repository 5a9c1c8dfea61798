"""Issue 12, the cookie path: what a hostile or unlucky cookie can no longer do."""

from __future__ import annotations

import logging
import os
from typing import Any

import pytest

from sessionware import CookieTooLarge
from sessionware._signing import CookieSigner

from ._apps import Browser, set_cookies
from .conftest import SECRET, FakeClock

OLD_KEY = "the-old-secret-key-of-this-application"


def signed(data: bytes, at: float, key: str = SECRET) -> str:
    return CookieSigner(key).dumps(data, int(at))


# Item 13: a date tag out of datetime's range is a bad payload, not an OverflowError.


def test_an_out_of_range_date_tag_is_a_fresh_session(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    cookie = signed(b'{"d":{" d":"Fri, 31 Dec 9999 23:59:59 -0100"}}', clock())
    response = Browser(clock).request(lambda s: (dict(s), s.new), cookie_header=f"session={cookie}")
    assert response.status_code == 200
    assert response.text == "({}, True)"
    (record,) = session_log.records
    assert "not a tagged JSON object" in record.getMessage()
    assert cookie not in record.getMessage()


# Item 1: only a handler's write may raise CookieTooLarge; a re-issue that no longer
# fits leaves the browser's cookie as it is.


def near_limit_cookie(clock: FakeClock, **settings: Any) -> tuple[str, int]:
    """A permanent session's cookie written with default attributes, and its header size."""
    writer = Browser(clock, **settings)

    def login(session: Any) -> None:
        session.permanent = True
        session["blob"] = os.urandom(1200).hex()

    (header,) = set_cookies(writer.request(login))
    value = writer.cookie()
    assert value is not None
    return value, len(header)


def test_a_refresh_that_no_longer_fits_keeps_the_cookie_and_logs(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    value, size = near_limit_cookie(clock)
    # The operator adds a Domain: the same cookie re-issued is 20 bytes longer.
    reader = Browser(clock, cookie_domain="example.com", max_cookie_size=size + 5)
    clock.advance(60)
    response = reader.request(lambda s: len(s["blob"]), cookie_header=f"session={value}")
    assert response.status_code == 200
    assert response.text == "2400"
    assert set_cookies(response) == []
    (record,) = session_log.records
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "refresh" in message
    assert "max_cookie_size" in message
    assert value not in message


def test_a_re_sign_with_the_current_key_that_no_longer_fits_keeps_the_cookie(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    value, size = near_limit_cookie(clock, secret_key=OLD_KEY)
    reader = Browser(
        clock,
        secret_key_fallbacks=[OLD_KEY],
        refresh_each_request=False,
        cookie_secure=True,
        max_cookie_size=size,
    )
    response = reader.request(lambda s: len(s["blob"]), cookie_header=f"session={value}")
    assert response.status_code == 200
    assert set_cookies(response) == []
    assert "re-sign" in session_log.records[0].getMessage()


def test_regenerate_that_no_longer_fits_keeps_the_cookie(clock: FakeClock) -> None:
    value, size = near_limit_cookie(clock)
    reader = Browser(clock, refresh_each_request=False, cookie_secure=True, max_cookie_size=size)
    response = reader.request(lambda s: s.regenerate(), cookie_header=f"session={value}")
    assert response.status_code == 200
    assert set_cookies(response) == []


def test_a_write_that_no_longer_fits_still_raises(clock: FakeClock) -> None:
    value, size = near_limit_cookie(clock)
    reader = Browser(clock, cookie_domain="example.com", max_cookie_size=size + 5)
    with pytest.raises(CookieTooLarge):
        reader.request(lambda s: s.__setitem__("n", 1), cookie_header=f"session={value}")
