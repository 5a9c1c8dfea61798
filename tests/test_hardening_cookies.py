"""Issue 12, the cookie path: what a hostile or unlucky cookie can no longer do.

What signed and encrypted cookies share is written once and run on both (a test taking
the ``cookie_kind`` fixture, tests/_cookie_kinds.py); what only encrypted cookies do is
in tests/test_encrypted_hardening.py.
"""

from __future__ import annotations

import logging
import os
import tracemalloc
import zlib
from base64 import urlsafe_b64encode
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.http import parse_cookie

from sessionware import (
    CookieTooLarge,
    SecureCookieSessionInterface,
    ServerSideSessionInterface,
    SessionConfig,
)
from sessionware.cookies._header import DuplicateCookie, find_cookie, find_cookies
from sessionware.cookies._signing import CookieSigner
from sessionware.errors import PayloadTooLarge
from sessionware.stores import MemoryStore

from ._apps import Browser, set_cookies
from ._cookie_kinds import ENCRYPTED, SIGNED, CookieKind
from .conftest import SECRET, FakeClock

OLD_KEY = "the-old-secret-key-of-this-application"
cookie_values = st.from_regex(r"[A-Za-z0-9_.\-]{0,20}", fullmatch=True)


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


def near_limit_cookie(
    cookie_kind: CookieKind, clock: FakeClock, **settings: Any
) -> tuple[str, int]:
    """A permanent session's cookie written with default attributes, and its header size."""
    writer = cookie_kind.browser(clock, **settings)

    def login(session: Any) -> None:
        session.permanent = True
        session["blob"] = os.urandom(1000).hex()

    (header,) = set_cookies(writer.request(login))
    value = writer.cookie()
    assert value is not None
    return value, len(header)


def test_a_refresh_that_no_longer_fits_keeps_the_cookie_and_logs(
    cookie_kind: CookieKind, clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    value, size = near_limit_cookie(cookie_kind, clock)
    # The operator adds a Domain: the same cookie re-issued is 20 bytes longer.
    reader = cookie_kind.browser(clock, cookie_domain="example.com", max_cookie_size=size + 5)
    clock.advance(60)
    response = reader.request(lambda s: len(s["blob"]), cookie_header=f"session={value}")
    assert response.status_code == 200
    assert response.text == "2000"
    assert set_cookies(response) == []
    (record,) = session_log.records
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "refresh" in message
    assert "max_cookie_size" in message
    assert value not in message


def test_a_reissue_under_the_current_key_that_no_longer_fits_keeps_the_cookie(
    cookie_kind: CookieKind, clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    value, size = near_limit_cookie(cookie_kind, clock, secret_key=OLD_KEY)
    reader = cookie_kind.browser(
        clock,
        secret_key_fallbacks=[OLD_KEY],
        refresh_each_request=False,
        cookie_secure=True,
        max_cookie_size=size,
    )
    response = reader.request(lambda s: len(s["blob"]), cookie_header=f"session={value}")
    assert response.status_code == 200
    assert response.text == "2000"
    assert set_cookies(response) == []
    assert cookie_kind.reissue in session_log.records[0].getMessage()


def test_regenerate_that_no_longer_fits_keeps_the_cookie(
    cookie_kind: CookieKind, clock: FakeClock
) -> None:
    value, size = near_limit_cookie(cookie_kind, clock)
    reader = cookie_kind.browser(
        clock, refresh_each_request=False, cookie_secure=True, max_cookie_size=size
    )
    response = reader.request(lambda s: s.regenerate(), cookie_header=f"session={value}")
    assert response.status_code == 200
    assert set_cookies(response) == []


def test_a_write_that_no_longer_fits_still_raises(
    cookie_kind: CookieKind, clock: FakeClock
) -> None:
    value, size = near_limit_cookie(cookie_kind, clock)
    reader = cookie_kind.browser(clock, cookie_domain="example.com", max_cookie_size=size + 5)
    with pytest.raises(CookieTooLarge):
        reader.request(lambda s: s.__setitem__("n", 1), cookie_header=f"session={value}")


# Item 6: a cookie dated a little ahead (a server whose clock runs fast) is accepted.


@pytest.mark.parametrize(
    ("ahead", "settings", "accepted"),
    [
        pytest.param(3, {}, True, id="default-tolerates-3s"),
        pytest.param(5, {}, True, id="default-tolerates-5s"),
        pytest.param(6, {}, False, id="default-refuses-6s"),
        pytest.param(1, {"clock_skew": 0}, False, id="zero-refuses-1s"),
        pytest.param(30, {"clock_skew": timedelta(seconds=30)}, True, id="timedelta-30s"),
        pytest.param(31, {"clock_skew": 30}, False, id="seconds-30-refuses-31s"),
    ],
)
def test_cookies_dated_ahead_within_clock_skew_are_accepted(
    cookie_kind: CookieKind,
    clock: FakeClock,
    session_log: pytest.LogCaptureFixture,
    ahead: float,
    settings: dict[str, Any],
    accepted: bool,
) -> None:
    value = cookie_kind.cookie(FakeClock(clock() + ahead), {"user": 1})
    response = cookie_kind.browser(clock, **settings).request(
        lambda s: s.get("user"), cookie_header=f"session={value}"
    )
    assert response.text == ("1" if accepted else "None")
    if not accepted:
        (record,) = session_log.records
        # The operator reads which setting refused it.
        assert "in the future" in record.getMessage()
        assert "clock_skew" in record.getMessage()


def test_clock_skew_does_not_extend_the_lifetime(clock: FakeClock) -> None:
    browser = Browser(clock, permanent_lifetime=100, clock_skew=30)
    browser.request(lambda s: s.__setitem__("user", 1))
    clock.advance(101)
    assert browser.request(lambda s: s.get("user")).text == "None"


def test_signed_session_ids_dated_ahead_are_accepted(clock: FakeClock) -> None:
    store = MemoryStore()
    fast = FakeClock(clock() + 4)
    writer = Browser(interface=ServerSideSessionInterface(store, clock=fast))
    writer.request(lambda s: s.__setitem__("user", 1))
    reader = Browser(interface=ServerSideSessionInterface(store, clock=clock))
    response = reader.request(lambda s: s.get("user"), cookie_header=f"session={writer.cookie()}")
    assert response.text == "1"


# Item 5: a small cookie cannot make a request decompress megabytes.


def test_a_payload_inflating_past_the_cap_is_refused_without_inflating_it(
    cookie_kind: CookieKind, clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    payload = b'{"a":"' + b"0" * 4_000_000 + b'"}'
    cookie = cookie_kind.payload_cookie(payload, clock(), compress=True)
    assert len(cookie) < 8000
    interface = cookie_kind.interface(clock, compress=True)
    config = SessionConfig(secret_key=SECRET)
    tracemalloc.start()
    try:
        session = interface.open_session(config, {"HTTP_COOKIE": f"session={cookie}"})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert session is not None
    assert session.new
    assert dict(session) == {}
    assert peak < 1_000_000
    (record,) = session_log.records
    assert "max_payload_size" in record.getMessage()
    assert "65536" in record.getMessage()


@pytest.mark.parametrize("compress", [True, False], ids=["compressed", "plain"])
@pytest.mark.parametrize(
    ("size", "accepted"),
    [pytest.param(1900, True, id="under"), pytest.param(2100, False, id="over")],
)
def test_max_payload_size_applies_to_compressed_and_plain_payloads(
    cookie_kind: CookieKind, clock: FakeClock, size: int, accepted: bool, compress: bool
) -> None:
    payload = b'{"a":"' + b"0" * (size - 8) + b'"}'
    cookie = cookie_kind.payload_cookie(payload, clock(), compress=compress)
    browser = cookie_kind.browser(clock, compress=compress, max_payload_size=2048)
    response = browser.request(lambda s: len(s.get("a", "")), cookie_header=f"session={cookie}")
    assert response.text == (str(size - 8) if accepted else "0")


def test_a_truncated_zlib_stream_is_still_refused(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    body = b"." + urlsafe_b64encode(zlib.compress(b'{"a":"' + b"x" * 500 + b'"}')[:-6])
    cookie = CookieSigner(SECRET).sign(body.rstrip(b"="), int(clock()))
    response = Browser(clock).request(lambda s: dict(s), cookie_header=f"session={cookie}")
    assert response.text == "{}"
    assert "not valid base64 or zlib" in session_log.records[0].getMessage()


def test_writing_more_than_max_payload_size_raises(
    cookie_kind: CookieKind, clock: FakeClock
) -> None:
    browser = cookie_kind.browser(clock, compress=True, max_payload_size=4096)
    with pytest.raises(PayloadTooLarge) as caught:
        # Compresses to a few dozen bytes: it would fit the cookie, but not be read back.
        browser.request(lambda s: s.__setitem__("a", "0" * 5000))
    assert isinstance(caught.value, CookieTooLarge)
    assert caught.value.limit == 4096
    assert "max_payload_size" in str(caught.value)
    browser.request(lambda s: s.__setitem__("a", "0" * 4000))
    assert browser.request(lambda s: len(s["a"])).text == "4000"


# Item 11: a planted duplicate of the session cookie (cookie tossing from a sibling
# subdomain) no longer locks the user out.


def logged_in(cookie_kind: CookieKind, clock: FakeClock) -> tuple[Browser, str]:
    browser = cookie_kind.browser(clock)
    browser.request(lambda s: s.__setitem__("user", "ada"))
    value = browser.cookie()
    assert value is not None
    return browser, value


Plant = Callable[[CookieKind, FakeClock], str]
PLANTS: dict[str, Plant] = {
    "garbage": lambda kind, clock: "garbage",
    "other-key": lambda kind, clock: kind.cookie(clock, {"user": "eve"}, secret_key=OLD_KEY),
    "expired": lambda kind, clock: kind.cookie(FakeClock(clock() - 10**8), {"user": "eve"}),
}
PLANTED = [
    *(
        pytest.param(kind, plant, id=f"{kind.name}-{name}")
        for kind in (SIGNED, ENCRYPTED)
        for name, plant in PLANTS.items()
    ),
    pytest.param(ENCRYPTED, lambda kind, clock: "e1.sdeadbeef00.AAAA", id="encrypted-unknown-key"),
]


@pytest.mark.parametrize(("cookie_kind", "plant"), PLANTED)
@pytest.mark.parametrize("planted_first", [True, False], ids=["planted-first", "planted-last"])
def test_the_copy_that_verifies_or_decrypts_is_used(
    cookie_kind: CookieKind,
    clock: FakeClock,
    session_log: pytest.LogCaptureFixture,
    plant: Plant,
    planted_first: bool,
) -> None:
    browser, good = logged_in(cookie_kind, clock)
    planted = plant(cookie_kind, clock)
    pair = [f"session={planted}", f"session={good}"]
    header = "; ".join(pair if planted_first else pair[::-1])
    response = browser.request(lambda s: s.get("user"), cookie_header=f"theme=dark; {header}")
    assert response.text == "'ada'"
    messages = " ".join(record.getMessage() for record in session_log.records)
    assert good not in messages
    assert planted not in messages


def test_with_two_valid_copies_the_first_is_used_and_they_are_never_merged(
    cookie_kind: CookieKind, clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    ada = cookie_kind.cookie(clock, {"user": "ada"})
    eve = cookie_kind.cookie(clock, {"cart": [1]})
    browser = cookie_kind.browser(clock)
    response = browser.request(lambda s: dict(s), cookie_header=f"session={ada}; session={eve}")
    assert response.text == "{'user': 'ada'}"
    response = browser.request(lambda s: dict(s), cookie_header=f"session={eve}; session={ada}")
    assert response.text == "{'cart': [1]}"
    assert "2 copies" in session_log.records[0].getMessage()


def test_when_no_copy_is_valid_the_session_is_fresh_and_logged_once(
    cookie_kind: CookieKind, clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    planted = cookie_kind.cookie(clock, {"user": "eve"}, secret_key=OLD_KEY)
    session_log.clear()
    response = cookie_kind.browser(clock).request(
        lambda s: (dict(s), s.new), cookie_header=f"session=garbage; session={planted}"
    )
    assert response.text == "({}, True)"
    (record,) = session_log.records
    assert record.levelno == logging.WARNING
    assert f"more than once (2 copies) and none {cookie_kind.accepts}" in record.getMessage()
    assert planted not in record.getMessage()


def test_logging_in_again_works_while_the_planted_cookie_stays(
    cookie_kind: CookieKind, clock: FakeClock
) -> None:
    browser = cookie_kind.browser(clock)
    planted = "session=garbage"
    response = browser.request(lambda s: s.__setitem__("user", "ada"), cookie_header=planted)
    (header,) = set_cookies(response)
    mine = header.split(";")[0]
    response = browser.request(lambda s: s.get("user"), cookie_header=f"{planted}; {mine}")
    assert response.text == "'ada'"


def test_a_planted_duplicate_of_a_signed_session_id_is_skipped(clock: FakeClock) -> None:
    interface = ServerSideSessionInterface(MemoryStore(), clock=clock)
    browser = Browser(interface=interface)
    browser.request(lambda s: s.__setitem__("user", "ada"))
    good = browser.cookie()
    header = f"session=forged-id.AAAA.BBBB; session={good}"
    assert browser.request(lambda s: s.get("user"), cookie_header=header).text == "'ada'"


@given(
    st.lists(st.tuples(st.sampled_from(["session", "sess", "other"]), cookie_values), max_size=6)
)
def test_find_cookies_agrees_with_werkzeug(pairs: list[tuple[str, str]]) -> None:
    header = "; ".join(f"{key}={value}" for key, value in pairs)
    assert find_cookies(header, "session") == parse_cookie(header).getlist("session")


@given(
    st.lists(
        st.sampled_from(["session=", "xsession=", "session", "=", ";", " ", "\t", '"', "a"]),
        max_size=12,
    ).map("".join)
)
def test_find_cookies_counts_what_find_cookie_matches(header: str) -> None:
    # Two scanners, one rule: find_cookies lists exactly the copies find_cookie sees.
    try:
        value = find_cookie(header, "session")
    except DuplicateCookie:
        assert len(find_cookies(header, "session")) >= 2
    else:
        assert find_cookies(header, "session") == ([] if value is None else [value])


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("session=a; session=b;", ["a", "b"], id="trailing-semicolon"),
        pytest.param("x=session=a; session=b", ["b"], id="inside-a-value"),
        pytest.param("", [], id="empty"),
    ],
)
def test_find_cookies(header: str, expected: list[str]) -> None:
    assert find_cookies(header, "session") == expected


def test_read_cookie_still_refuses_duplicates_for_custom_back_ends(
    session_log: pytest.LogCaptureFixture,
) -> None:
    interface = SecureCookieSessionInterface()
    config = SessionConfig(secret_key=SECRET)
    environ = {"HTTP_COOKIE": "session=a; session=b"}
    assert interface.read_cookie(config, environ) is None
    assert interface.read_cookies(config, environ) == ["a", "b"]
    assert "more than once" in session_log.records[0].getMessage()
