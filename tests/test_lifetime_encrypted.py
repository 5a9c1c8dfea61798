"""Idle and absolute timeouts and operator events of encrypted-cookie sessions.

The same rules as for signed cookies, which tests/test_lifetime_cookie.py runs on both:
the seal time in the token is the idle clock, ``_created`` (inside the ciphertext) the
absolute one. Here is what only encrypted cookies show.
"""

from __future__ import annotations

import secrets
from typing import Any

from sessionware import Key, KeyRing, events

from ._apps import set_cookies
from ._cookie_kinds import ENCRYPTED
from .conftest import SECRET, FakeClock

ABSOLUTE = 8 * 3600
NOW = 1_700_000_000
DAY = 86400


def login(session: Any) -> None:
    session["user"] = "ada"


def who(session: Any) -> Any:
    return session.get("user")


# Absolute timeout


def test_the_creation_time_is_kept_inside_the_ciphertext(clock: FakeClock) -> None:
    browser = ENCRYPTED.browser(clock, absolute_timeout=ABSOLUTE)
    browser.request(login)
    assert browser.request(lambda s: sorted(s.items())).text == repr(
        [("_created", NOW), ("user", "ada")]
    )
    cookie = browser.cookie() or ""
    assert cookie.startswith("e1.")
    assert "_created" not in cookie
    assert str(NOW) not in cookie


# Events


def test_events_for_creation_rotation_regeneration_and_every_refusal(
    clock: FakeClock, seen: list[events.SessionEvent]
) -> None:
    old = Key("old", secrets.token_hex(32), NOW - DAY)
    new = Key("new", secrets.token_hex(32), NOW + DAY)
    browser = ENCRYPTED.browser(clock, keyring=KeyRing([old, new]), permanent_lifetime=2 * DAY)
    browser.request(login)
    stale = browser.cookie() or ""
    clock.advance(DAY)
    browser.request(who)  # re-encrypted under the current key
    browser.request(lambda s: s.regenerate())
    current = browser.cookie() or ""
    # The last character of a token changes its tag: authentication fails.
    altered = current[:-2] + ("A" if current[-2] != "A" else "B") + current[-1]
    stranger = ENCRYPTED.browser(clock, secret_key="another-" + SECRET)
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
    writer = ENCRYPTED.browser(clock, secret_key=old_key)
    (header,) = set_cookies(writer.request(lambda s: s.update(user="ada", pad="x" * 300)))
    # The operator adds a Domain: the re-encrypted cookie would no longer fit.
    reader = ENCRYPTED.browser(
        clock,
        secret_key_fallbacks=[old_key],
        cookie_domain="example.com",
        max_cookie_size=len(header) + 5,
    )
    response = reader.request(who, cookie_header=f"session={writer.cookie()}")
    assert (response.text, set_cookies(response)) == ("'ada'", [])
    assert [e.name for e in seen] == ["created"]
