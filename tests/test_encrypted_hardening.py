"""The encrypted-cookie interface holds to what issue 12 hardened on the signed path.

Clock skew from the config, the copy of a duplicated cookie that decrypts, a bounded
decompression, and a re-issue of unchanged data that never fails the request.
"""

from __future__ import annotations

import logging
import os
import tracemalloc
import zlib
from base64 import urlsafe_b64encode
from datetime import timedelta
from typing import Any

import pytest

from sessionware import CookieTooLarge, EncryptedCookieSessionInterface, SessionConfig
from sessionware.errors import PayloadTooLarge

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


# max_payload_size: with compression on, a small cookie cannot make a request inflate
# megabytes, and a session too big to be read back is refused when it is written.


def sealed_payload(payload: bytes, at: float, *, compress: bool) -> str:
    """A cookie sealed with the test secret around ``payload``, however large it is."""
    from sessionware._sealing import CookieSealer

    return CookieSealer(None, SECRET, compress=compress).seal(payload, at, "session")


def test_a_payload_inflating_past_the_cap_is_refused_without_inflating_it(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    cookie = sealed_payload(b'{"a":"' + b"0" * 4_000_000 + b'"}', clock(), compress=True)
    assert len(cookie) < 8000
    interface = EncryptedCookieSessionInterface(clock=clock, compress=True)
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
    clock: FakeClock, size: int, accepted: bool, compress: bool
) -> None:
    payload = b'{"a":"' + b"0" * (size - 8) + b'"}'
    cookie = sealed_payload(payload, clock(), compress=compress)
    browser = encrypted(clock, {"compress": compress}, max_payload_size=2048)
    response = browser.request(lambda s: len(s.get("a", "")), cookie_header=f"session={cookie}")
    assert response.text == (str(size - 8) if accepted else "0")


def test_writing_more_than_max_payload_size_raises(clock: FakeClock) -> None:
    browser = encrypted(clock, {"compress": True}, max_payload_size=4096)
    with pytest.raises(PayloadTooLarge) as caught:
        # Compresses to a few dozen bytes: it would fit the cookie, but not be read back.
        browser.request(lambda s: s.__setitem__("a", "0" * 5000))
    assert caught.value.limit == 4096
    browser.request(lambda s: s.__setitem__("a", "0" * 4000))
    assert browser.request(lambda s: len(s["a"])).text == "4000"


@pytest.mark.parametrize(
    "stream",
    [
        pytest.param(zlib.compress(b'{"a":"' + b"x" * 500 + b'"}')[:-6], id="truncated"),
        pytest.param(b"not zlib at all", id="garbled"),
    ],
)
def test_a_sealed_stream_that_is_not_whole_zlib_is_refused(
    clock: FakeClock, session_log: pytest.LogCaptureFixture, stream: bytes
) -> None:
    # Only a holder of the key can seal one (docs/encryption.md gives the format): the
    # flags byte says compressed, then the seal time, then the stream.
    from sessionware._sealing import derive_key, secret_key_id

    key_id = secret_key_id(SECRET.encode())
    plaintext = b"\x01" + int(clock()).to_bytes(8, "big") + stream
    associated = b"\x00".join((b"sessionware", b"e1", key_id.encode(), b"session", b"session"))
    nonce = os.urandom(12)
    sealed = nonce + derive_key(SECRET.encode()).encrypt(nonce, plaintext, associated)
    cookie = f"e1.{key_id}.{urlsafe_b64encode(sealed).rstrip(b'=').decode()}"
    response = encrypted(clock, {"compress": True}).request(
        lambda s: dict(s), cookie_header=f"session={cookie}"
    )
    assert response.text == "{}"
    (record,) = session_log.records
    assert "not valid zlib data" in record.getMessage()


# A re-issue of unchanged data (expiry refresh, re-encryption with the current key)
# that no longer fits leaves the browser's cookie as it is; only a write raises.

OLD_KEY = "the-old-secret-key-of-this-application"


def near_limit_cookie(clock: FakeClock, **settings: Any) -> tuple[str, int]:
    """A permanent session's cookie written with default attributes, and its header size."""
    writer = encrypted(clock, **settings)

    def login(session: Any) -> None:
        session.permanent = True
        session["blob"] = os.urandom(1000).hex()

    (header,) = set_cookies(writer.request(login))
    value = writer.cookie()
    assert value is not None
    return value, len(header)


def test_a_refresh_that_no_longer_fits_keeps_the_cookie_and_logs(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    value, size = near_limit_cookie(clock)
    # The operator adds a Domain: the same cookie re-issued is 20 bytes longer.
    reader = encrypted(clock, cookie_domain="example.com", max_cookie_size=size + 5)
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


def test_a_re_encryption_with_the_current_key_that_no_longer_fits_keeps_the_cookie(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    value, size = near_limit_cookie(clock, secret_key=OLD_KEY)
    reader = encrypted(
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
    assert "re-encrypting" in session_log.records[0].getMessage()


def test_a_write_that_no_longer_fits_still_raises(clock: FakeClock) -> None:
    value, size = near_limit_cookie(clock)
    reader = encrypted(clock, cookie_domain="example.com", max_cookie_size=size + 5)
    with pytest.raises(CookieTooLarge):
        reader.request(lambda s: s.__setitem__("n", 1), cookie_header=f"session={value}")
