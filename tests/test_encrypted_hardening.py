"""The encrypted-cookie interface holds to what issue 12 hardened on the signed path.

Clock skew from the config, the copy of a duplicated cookie that decrypts, a bounded
decompression, and a re-issue of unchanged data that never fails the request.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from sessionware import EncryptedCookieSessionInterface

from ._apps import Browser, set_cookies
from .conftest import SECRET, FakeClock


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


# Cookie tossing: a copy planted under the same name (from a sibling subdomain, or
# with another Path) neither locks the user out nor merges into their session.


def logged_in(clock: FakeClock, **settings: Any) -> tuple[Browser, str]:
    browser = encrypted(clock, **settings)
    browser.request(lambda s: s.__setitem__("user", "ada"))
    value = browser.cookie()
    assert value is not None
    return browser, value


def sealed(clock: FakeClock, data: dict[str, Any], **settings: Any) -> str:
    """A cookie holding ``data``, sealed at ``clock()`` (with another key, if told)."""
    writer = encrypted(clock, **settings)
    writer.request(lambda s: s.update(data))
    value = writer.cookie()
    assert value is not None
    return value


PLANTED = [
    pytest.param(lambda clock: "garbage", id="garbage"),
    pytest.param(lambda clock: "e1.sdeadbeef00.AAAA", id="unknown-key"),
    pytest.param(
        lambda clock: sealed(clock, {"user": "eve"}, secret_key="another-" + SECRET),
        id="other-secret",
    ),
    pytest.param(lambda clock: sealed(FakeClock(clock() - 10**8), {"user": "eve"}), id="expired"),
]


@pytest.mark.parametrize("plant", PLANTED)
@pytest.mark.parametrize("planted_first", [True, False], ids=["planted-first", "planted-last"])
def test_the_copy_that_decrypts_is_used(
    clock: FakeClock, session_log: pytest.LogCaptureFixture, plant: Any, planted_first: bool
) -> None:
    browser, good = logged_in(clock)
    planted = plant(clock)
    pair = [f"session={planted}", f"session={good}"]
    header = "; ".join(pair if planted_first else pair[::-1])
    response = browser.request(lambda s: s.get("user"), cookie_header=f"theme=dark; {header}")
    assert response.text == "'ada'"
    messages = " ".join(record.getMessage() for record in session_log.records)
    assert good not in messages
    assert planted not in messages


def test_with_two_copies_that_decrypt_the_first_is_used_and_they_are_never_merged(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    ada = sealed(clock, {"user": "ada"})
    eve = sealed(clock, {"cart": [1]})
    browser = encrypted(clock)
    response = browser.request(lambda s: dict(s), cookie_header=f"session={ada}; session={eve}")
    assert response.text == "{'user': 'ada'}"
    response = browser.request(lambda s: dict(s), cookie_header=f"session={eve}; session={ada}")
    assert response.text == "{'cart': [1]}"
    assert "2 copies" in session_log.records[0].getMessage()


def test_when_no_copy_decrypts_the_session_is_fresh_and_logged_once(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    planted = sealed(clock, {"user": "eve"}, secret_key="another-" + SECRET)
    session_log.clear()
    response = encrypted(clock).request(
        lambda s: (dict(s), s.new), cookie_header=f"session=garbage; session={planted}"
    )
    assert response.text == "({}, True)"
    (record,) = session_log.records
    assert record.levelno == logging.WARNING
    assert "more than once (2 copies)" in record.getMessage()
    assert planted not in record.getMessage()


def test_logging_in_again_works_while_the_planted_cookie_stays(clock: FakeClock) -> None:
    browser = encrypted(clock)
    planted = "session=garbage"
    response = browser.request(lambda s: s.__setitem__("user", "ada"), cookie_header=planted)
    (header,) = set_cookies(response)
    mine = header.split(";")[0]
    response = browser.request(lambda s: s.get("user"), cookie_header=f"{planted}; {mine}")
    assert response.text == "'ada'"
