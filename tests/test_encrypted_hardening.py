"""The encrypted-cookie interface holds to what issue 12 hardened on the signed path.

Clock skew from the config, the copy of a duplicated cookie that decrypts, a bounded
decompression, and a re-issue of unchanged data that never fails the request.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sessionware import EncryptedCookieSessionInterface

from ._apps import Browser
from .conftest import FakeClock


def encrypted(
    clock: FakeClock, interface: dict[str, Any] | None = None, **settings: Any
) -> Browser:
    return Browser(
        clock, EncryptedCookieSessionInterface(clock=clock, **(interface or {})), **settings
    )


# clock_skew: the same setting, and the same default, as signed cookies.


def sealed_by_a_fast_clock(clock: FakeClock, ahead: float) -> str:
    writer = encrypted(FakeClock(clock() + ahead))
    writer.request(lambda s: s.__setitem__("user", 1))
    value = writer.cookie()
    assert value is not None
    return value


@pytest.mark.parametrize(
    ("ahead", "settings", "accepted"),
    [
        pytest.param(5, {}, True, id="default-tolerates-5s"),
        pytest.param(6, {}, False, id="default-refuses-6s"),
        pytest.param(1, {"clock_skew": 0}, False, id="zero-refuses-1s"),
        pytest.param(30, {"clock_skew": timedelta(seconds=30)}, True, id="timedelta-30s"),
        pytest.param(31, {"clock_skew": 30}, False, id="seconds-30-refuses-31s"),
    ],
)
def test_cookies_sealed_ahead_within_clock_skew_are_accepted(
    clock: FakeClock,
    session_log: pytest.LogCaptureFixture,
    ahead: float,
    settings: dict[str, Any],
    accepted: bool,
) -> None:
    value = sealed_by_a_fast_clock(clock, ahead)
    response = encrypted(clock, **settings).request(
        lambda s: s.get("user"), cookie_header=f"session={value}"
    )
    assert response.text == ("1" if accepted else "None")
    if not accepted:
        (record,) = session_log.records
        # The operator reads which setting refused it, as for a signed cookie.
        assert "in the future" in record.getMessage()
        assert "clock_skew" in record.getMessage()
