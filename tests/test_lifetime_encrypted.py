"""Idle and absolute timeouts and operator events of encrypted-cookie sessions.

The same rules as for signed cookies (tests/test_lifetime_cookie.py): the seal time in
the token is the idle clock, ``_created`` (inside the ciphertext) the absolute one.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from sessionware import EncryptedCookieSessionInterface, Key, KeyRing, events

from ._apps import Browser, set_cookies
from .conftest import SECRET, FakeClock

IDLE = 900
ABSOLUTE = 8 * 3600
NOW = 1_700_000_000
DAY = 86400


@pytest.fixture
def seen() -> Iterator[list[events.SessionEvent]]:
    """Every session event emitted during the test."""
    caught: list[events.SessionEvent] = []
    unsubscribe = events.subscribe(caught.append)
    yield caught
    unsubscribe()


def refusals(caught: list[events.SessionEvent]) -> list[str | None]:
    return [event.reason for event in caught if event.name == "refused"]


def encrypted(clock: FakeClock, **settings: Any) -> Browser:
    return Browser(clock, EncryptedCookieSessionInterface(clock=clock), **settings)


def login(session: Any) -> None:
    session["user"] = "ada"


def who(session: Any) -> Any:
    return session.get("user")


# Idle timeout


def test_idle_timeout_fires_exactly_after_idle_seconds(
    clock: FakeClock, seen: list[events.SessionEvent], session_log: pytest.LogCaptureFixture
) -> None:
    browser = encrypted(clock, idle_timeout=IDLE)
    browser.request(login)
    clock.advance(IDLE)
    assert browser.request(who).text == "'ada'"  # exactly IDLE seconds idle: still valid
    clock.advance(IDLE + 1)
    assert browser.request(who).text == "None"
    assert refusals(seen) == ["idle_timeout"]
    assert "idle for 901 seconds, over idle_timeout (900)" in session_log.text


def test_an_old_copy_of_the_cookie_times_out_though_the_user_is_active(clock: FakeClock) -> None:
    browser = encrypted(clock, idle_timeout=IDLE)
    browser.request(login)
    stolen = f"session={browser.cookie()}"
    for _ in range(4):
        clock.advance(IDLE - 1)
        assert browser.request(who).text == "'ada'"
    assert browser.request(who, cookie_header=stolen).text == "None"


def test_read_only_requests_renew_the_idle_clock_throttled(clock: FakeClock) -> None:
    browser = encrypted(clock, idle_timeout=IDLE)
    browser.request(login)
    clock.advance(IDLE * 0.1 - 1)
    assert set_cookies(browser.request(who)) == []  # too soon: no write
    clock.advance(1)
    assert len(set_cookies(browser.request(who))) == 1  # a tenth of the timeout: re-issued
    assert set_cookies(browser.request(who)) == []


def test_a_request_that_never_opens_the_session_is_not_activity(clock: FakeClock) -> None:
    browser = encrypted(clock, idle_timeout=IDLE)
    browser.request(login)
    clock.advance(IDLE - 1)
    browser.request()  # the handler does not touch the session
    clock.advance(2)
    assert browser.request(who).text == "None"


# Absolute timeout


def test_absolute_timeout_fires_whatever_the_activity(
    clock: FakeClock, seen: list[events.SessionEvent]
) -> None:
    browser = encrypted(clock, idle_timeout=IDLE, absolute_timeout=ABSOLUTE)
    browser.request(login)
    while clock.now + IDLE - 60 <= NOW + ABSOLUTE:
        clock.advance(IDLE - 60)
        assert browser.request(who).text == "'ada'"
    clock.now = NOW + ABSOLUTE
    assert browser.request(who).text == "'ada'"
    clock.advance(1)
    assert browser.request(who).text == "None"
    assert refusals(seen) == ["absolute_timeout"]


def test_regenerate_restarts_the_absolute_clock(
    clock: FakeClock, seen: list[events.SessionEvent]
) -> None:
    browser = encrypted(clock, absolute_timeout=ABSOLUTE)
    browser.request(login)
    clock.advance(3600)
    browser.request(lambda s: s.regenerate())
    assert [event.name for event in seen] == ["created", "regenerated"]
    clock.now = NOW + ABSOLUTE + 1
    assert browser.request(who).text == "'ada'"
    clock.now = NOW + 3600 + ABSOLUTE + 1
    assert browser.request(who).text == "None"


def test_the_creation_time_is_kept_inside_the_ciphertext(clock: FakeClock) -> None:
    browser = encrypted(clock, absolute_timeout=ABSOLUTE)
    browser.request(login)
    assert browser.request(lambda s: sorted(s.items())).text == repr(
        [("_created", NOW), ("user", "ada")]
    )
    cookie = browser.cookie() or ""
    assert cookie.startswith("e1.")
    assert "_created" not in cookie
    assert str(NOW) not in cookie


def test_a_session_from_before_the_setting_starts_its_clock_at_its_seal_time(
    clock: FakeClock,
) -> None:
    before = encrypted(clock)
    before.request(login)
    cookie = before.cookie() or ""
    clock.advance(100)
    after = encrypted(clock, absolute_timeout=ABSOLUTE)
    after.client.set_cookie("session", cookie)
    assert after.request(who).text == "'ada'"  # written back with _created
    assert after.request(lambda s: s.get("_created")).text == str(NOW)
    clock.now = NOW + ABSOLUTE + 1
    assert after.request(who).text == "None"


def test_no_created_key_while_the_setting_is_off(clock: FakeClock) -> None:
    browser = encrypted(clock, idle_timeout=IDLE)
    browser.request(login)
    assert browser.request(lambda s: sorted(s)).text == "['user']"


def test_an_emptied_session_is_deleted_not_kept_for_its_creation_time(clock: FakeClock) -> None:
    browser = encrypted(clock, absolute_timeout=ABSOLUTE)
    browser.request(login)
    (header,) = set_cookies(browser.request(lambda s: s.clear()))
    assert "Expires=Thu, 01 Jan 1970" in header


# Events


def test_events_for_creation_rotation_regeneration_and_every_refusal(
    clock: FakeClock, seen: list[events.SessionEvent]
) -> None:
    old = Key("old", secrets.token_hex(32), NOW - DAY)
    new = Key("new", secrets.token_hex(32), NOW + DAY)
    browser = encrypted(clock, keyring=KeyRing([old, new]), permanent_lifetime=2 * DAY)
    browser.request(login)
    stale = browser.cookie() or ""
    clock.advance(DAY)
    browser.request(who)  # re-encrypted under the current key
    browser.request(lambda s: s.regenerate())
    current = browser.cookie() or ""
    # The last character of a token changes its tag: authentication fails.
    altered = current[:-2] + ("A" if current[-2] != "A" else "B") + current[-1]
    stranger = encrypted(clock, secret_key="another-" + SECRET)
    stranger.request(login)
    for header in (
        f"session={altered}",
        f"session={stranger.cookie()}",  # sealed under a key this app does not have
        "session=not-a-token",
        f"session={altered}; session=not-a-token",
    ):
        browser.request(who, cookie_header=header)
    clock.advance(DAY + 1)
    browser.request(who, cookie_header=f"session={stale}")
    assert [(e.name, e.reason) for e in seen if e.interface is not None] == [
        ("created", None),
        ("rotated", None),
        ("regenerated", None),
        ("created", None),  # the stranger's login
        ("refused", "bad_signature"),
        ("refused", "bad_signature"),
        ("refused", "malformed"),
        ("refused", "duplicate"),
        ("refused", "expired"),
    ]
    assert {e.interface for e in seen} == {"EncryptedCookieSessionInterface"}
    assert {e.cookie_name for e in seen} == {"session"}


def test_a_re_encryption_that_does_not_fit_is_not_counted_as_a_rotation(
    clock: FakeClock, seen: list[events.SessionEvent]
) -> None:
    old_key = "the-old-secret-key-of-this-application"
    writer = encrypted(clock, secret_key=old_key)
    (header,) = set_cookies(writer.request(lambda s: s.update(user="ada", pad="x" * 300)))
    # The operator adds a Domain: the re-encrypted cookie would no longer fit.
    reader = encrypted(
        clock,
        secret_key_fallbacks=[old_key],
        cookie_domain="example.com",
        max_cookie_size=len(header) + 5,
    )
    response = reader.request(who, cookie_header=f"session={writer.cookie()}")
    assert (response.text, set_cookies(response)) == ("'ada'", [])
    assert [e.name for e in seen] == ["created"]
