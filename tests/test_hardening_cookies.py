"""Issue 12, the cookie path: what a hostile or unlucky cookie can no longer do."""

from __future__ import annotations

import pytest

from sessionware._signing import CookieSigner

from ._apps import Browser
from .conftest import SECRET, FakeClock


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
