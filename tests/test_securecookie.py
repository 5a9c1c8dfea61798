"""The signed-cookie interface: what reaches the browser, and what is refused."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest

from sessionware import (
    CookieTooLarge,
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionConfig,
    SessionwareError,
)
from sessionware.cookies._signing import CookieSigner

from ._apps import Browser, set_cookies
from .conftest import SECRET, FakeClock


def test_a_write_sets_a_signed_cookie_and_reads_it_back(clock: FakeClock) -> None:
    browser = Browser(clock)
    response = browser.request(lambda s: s.__setitem__("user", 42))
    (header,) = set_cookies(response)
    assert header.startswith("session=")
    assert header.endswith("; HttpOnly; Path=/; SameSite=Lax")
    assert "Expires" not in header
    assert response.headers["Vary"] == "Cookie"
    assert browser.request(lambda s: s["user"]).text == "42"


def test_a_read_only_request_sends_no_cookie_but_varies(clock: FakeClock) -> None:
    browser = Browser(clock)
    browser.request(lambda s: s.__setitem__("user", 42))
    response = browser.request(lambda s: s.get("user"))
    assert set_cookies(response) == []
    assert response.headers["Vary"] == "Cookie"


def test_an_untouched_session_sends_nothing(clock: FakeClock) -> None:
    browser = Browser(clock)
    browser.request(lambda s: s.__setitem__("user", 42))
    response = browser.request()
    assert set_cookies(response) == []
    assert "Vary" not in response.headers


@pytest.mark.parametrize(
    "check",
    [
        pytest.param(lambda s: "user" in s, id="in"),
        pytest.param(lambda s: len(s), id="len"),
        pytest.param(lambda s: list(s), id="iter"),
        pytest.param(lambda s: s.keys(), id="keys"),
        pytest.param(lambda s: s.new, id="new"),
        pytest.param(lambda s: s.permanent, id="permanent"),
    ],
)
def test_every_kind_of_read_adds_vary(clock: FakeClock, check: Any) -> None:
    assert Browser(clock).request(check).headers["Vary"] == "Cookie"


def test_permanent_sessions_get_expires_and_max_age(clock: FakeClock) -> None:
    browser = Browser(clock, permanent_lifetime=timedelta(days=2))

    def login(session: Any) -> None:
        session.permanent = True
        session["user"] = 1

    (header,) = set_cookies(browser.request(login))
    assert "; Expires=Thu, 16 Nov 2023 22:13:20 GMT; Max-Age=172800;" in header


def test_permanent_cookie_lifetime_is_capped_at_400_days(clock: FakeClock) -> None:
    browser = Browser(clock, permanent_lifetime=timedelta(days=1000))
    (header,) = set_cookies(browser.request(lambda s: setattr(s, "permanent", True)))
    assert f"Max-Age={400 * 86400};" in header


def test_permanent_sessions_are_refreshed_on_each_request(clock: FakeClock) -> None:
    browser = Browser(clock)
    browser.request(lambda s: setattr(s, "permanent", True))
    clock.advance(60)
    (header,) = set_cookies(browser.request(lambda s: s.get("x")))
    assert "Expires=Fri, 15 Dec 2023 22:14:20 GMT" in header


def test_a_refresh_re_signs_the_payload_it_came_with(clock: FakeClock) -> None:
    browser = Browser(clock)
    browser.request(lambda s: s.update(_permanent=True, cart=[1, (2, 3)], name="x" * 300))
    first = browser.cookie()
    clock.advance(60)
    browser.request(lambda s: s.get("name"))
    second = browser.cookie()
    assert first is not None
    assert second is not None
    assert second != first
    assert second.rsplit(".", 2)[0] == first.rsplit(".", 2)[0]
    assert browser.request(lambda s: s["cart"]).text == "[1, (2, 3)]"


def test_refresh_can_be_turned_off(clock: FakeClock) -> None:
    browser = Browser(clock, refresh_each_request=False)
    browser.request(lambda s: setattr(s, "permanent", True))
    assert set_cookies(browser.request(lambda s: s.get("x"))) == []


def test_expired_cookies_become_fresh_sessions_with_a_log_line(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    browser = Browser(clock, permanent_lifetime=3600)
    browser.request(lambda s: s.__setitem__("user", 1))
    value = browser.cookie()
    assert value is not None
    clock.advance(3600)
    assert browser.request(lambda s: s.get("user")).text == "1"
    clock.advance(1)
    assert browser.request(lambda s: (s.get("user"), s.new)).text == "(None, True)"
    (record,) = session_log.records
    assert record.levelno == logging.INFO
    assert "3601 seconds old" in record.getMessage()
    assert value not in record.getMessage()


def test_non_permanent_cookies_expire_on_the_server_too(clock: FakeClock) -> None:
    browser = Browser(clock, permanent_lifetime=100)
    browser.request(lambda s: s.__setitem__("user", 1))
    clock.advance(101)
    assert browser.request(lambda s: s.get("user")).text == "None"


def signed_cookie(data: bytes, key: str = SECRET, at: int = 1_700_000_000) -> str:
    return CookieSigner(key).dumps(data, at)


BAD_COOKIES = [
    pytest.param(lambda good: good[:-4], "does not match", id="truncated"),
    pytest.param(lambda good: "x" + good[1:], "does not match", id="tampered"),
    pytest.param(lambda good: signed_cookie(b'{"a":1}', key="another-key"), "match", id="key"),
    pytest.param(lambda good: "!!!not-base64", "no signature", id="non-base64"),
    pytest.param(lambda good: "\u2603", "not ASCII", id="non-ascii"),
    pytest.param(lambda good: signed_cookie(b"[1,2]"), "not a tagged JSON", id="json-list"),
    pytest.param(lambda good: signed_cookie(b"{oops"), "not a tagged JSON", id="non-json"),
    pytest.param(lambda good: signed_cookie(b"\xff\xfe"), "not a tagged JSON", id="non-utf8"),
    pytest.param(lambda good: signed_cookie(b'{" u":"zz"}'), "not a tagged JSON", id="bad-tag"),
    pytest.param(lambda good: good * 3, "does not match", id="oversized"),
]


@pytest.mark.parametrize(("make", "reason"), BAD_COOKIES)
def test_bad_cookies_become_fresh_sessions_with_a_log_line(
    clock: FakeClock, session_log: pytest.LogCaptureFixture, make: Any, reason: str
) -> None:
    browser = Browser(clock)
    browser.request(lambda s: s.__setitem__("user", 1))
    good = browser.cookie()
    assert good is not None
    bad = make(good)
    stranger = Browser(clock)
    response = stranger.request(lambda s: (dict(s), s.new), cookie_header=f"session={bad}")
    assert response.status_code == 200
    assert response.text == "({}, True)"
    (record,) = session_log.records
    assert record.name == "sessionware"
    assert reason in record.getMessage()
    assert bad not in record.getMessage()
    assert SECRET not in record.getMessage()


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("session=a; session=b", id="duplicate"),
        pytest.param('session="quoted value"', id="quoted"),
        pytest.param("\x00\x01\x02", id="binary-garbage"),
        pytest.param(";;;===;;", id="punctuation"),
        pytest.param("session", id="name-without-value"),
    ],
)
def test_garbage_cookie_headers_never_raise(clock: FakeClock, header: str) -> None:
    response = Browser(clock).request(lambda s: dict(s), cookie_header=header)
    assert response.status_code == 200
    assert response.text == "{}"


def test_duplicate_cookies_are_logged(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    Browser(clock).request(lambda s: dict(s), cookie_header="session=a; session=b")
    assert "more than once" in session_log.records[0].getMessage()


def test_other_cookies_are_left_alone(clock: FakeClock) -> None:
    browser = Browser(clock)
    browser.request(lambda s: s.__setitem__("user", 1))
    value = browser.cookie()
    header = f"theme=dark; session={value}; tracking=abc"
    assert Browser(clock).request(lambda s: s["user"], cookie_header=header).text == "1"


def test_emptying_the_session_deletes_the_cookie_with_its_attributes(clock: FakeClock) -> None:
    browser = Browser(
        clock,
        cookie_name="__Host-sid",
        cookie_secure=True,
        cookie_samesite="None",
        cookie_partitioned=True,
    )
    browser.request(lambda s: s.__setitem__("user", 1), base_url="https://localhost/")
    (header,) = set_cookies(browser.request(lambda s: s.pop("user"), base_url="https://localhost/"))
    assert header == (
        "__Host-sid=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Secure; HttpOnly; "
        "Path=/; SameSite=None; Partitioned"
    )


def test_invalidate_deletes_the_cookie(clock: FakeClock) -> None:
    browser = Browser(clock, cookie_domain="example.com")
    browser.request(lambda s: s.__setitem__("user", 1))
    (header,) = set_cookies(browser.request(lambda s: s.invalidate()))
    assert header.startswith("session=; Domain=example.com; Expires=Thu, 01 Jan 1970")


def test_regenerate_reissues_the_same_data(clock: FakeClock) -> None:
    browser = Browser(clock)
    browser.request(lambda s: s.__setitem__("user", 1))
    first = browser.cookie()
    clock.advance(5)
    (header,) = set_cookies(browser.request(lambda s: s.regenerate()))
    assert browser.cookie() != first
    assert browser.request(lambda s: s["user"]).text == "1"
    assert header.startswith("session=")


def test_in_place_changes_to_nested_values_are_saved(clock: FakeClock) -> None:
    browser = Browser(clock)
    browser.request(lambda s: s.__setitem__("cart", [1, 2]))
    response = browser.request(lambda s: s["cart"].append(3))
    assert len(set_cookies(response)) == 1
    assert browser.request(lambda s: s["cart"]).text == "[1, 2, 3]"
    browser.request(lambda s: s.setdefault("prefs", {}))
    browser.request(lambda s: s["prefs"].update(theme="dark"))
    assert browser.request(lambda s: s["prefs"]).text == "{'theme': 'dark'}"


def test_reading_a_nested_value_without_changing_it_sends_nothing(clock: FakeClock) -> None:
    browser = Browser(clock)
    browser.request(lambda s: s.update(cart=[1, (2, b"x")], n=1))
    assert set_cookies(browser.request(lambda s: s["cart"])) == []


def test_key_rotation_reissues_with_the_current_key_at_once(clock: FakeClock) -> None:
    old = Browser(clock, secret_key="the-old-secret-key-of-this-application")
    old.request(lambda s: s.__setitem__("user", 1))
    cookie = old.cookie()
    assert cookie is not None
    rotated = Browser(
        clock,
        secret_key="the-new-secret-key-of-this-application",
        secret_key_fallbacks=["the-old-secret-key-of-this-application"],
    )
    rotated.client.set_cookie("session", cookie)
    response = rotated.request(lambda s: s["user"])
    assert response.text == "1"
    (header,) = set_cookies(response)
    new_value = header.split(";")[0].split("=", 1)[1]
    assert CookieSigner("the-new-secret-key-of-this-application").loads(new_value, clock(), 60) == (
        b'{"user":1}',
        0,
        int(clock()),
    )
    assert set_cookies(rotated.request(lambda s: s["user"])) == []


def test_cookie_too_large_is_raised_not_sent(clock: FakeClock) -> None:
    browser = Browser(clock)
    with pytest.raises(CookieTooLarge) as caught:
        browser.request(lambda s: s.__setitem__("blob", __import__("os").urandom(4000).hex()))
    error = caught.value
    assert isinstance(error, SessionwareError)
    assert error.size > error.limit == 4093
    assert "4093" in str(error)
    assert "server-side" in str(error)


def test_max_cookie_size_counts_the_whole_header(clock: FakeClock) -> None:
    browser = Browser(clock, max_cookie_size=100)
    browser.request(lambda s: s.__setitem__("a", "x" * 10))
    with pytest.raises(CookieTooLarge):
        browser.request(lambda s: s.__setitem__("a", "x" * 60))


def test_no_secret_key_gives_a_null_session(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    browser = Browser(clock, secret_key=None)
    assert "no secret key" in session_log.records[0].getMessage()
    assert browser.request(lambda s: (dict(s), s.get("a"))).text == "({}, None)"
    response = browser.request(lambda s: s.pop("a", None))
    assert set_cookies(response) == []
    assert "Vary" not in response.headers


def test_salt_and_digest_are_settable(clock: FakeClock) -> None:
    interface = SecureCookieSessionInterface(salt="my-app", digest_method="sha256", clock=clock)
    browser = Browser(interface=interface)
    browser.request(lambda s: s.__setitem__("a", 1))
    assert browser.request(lambda s: s["a"]).text == "1"
    flask_style = Browser(clock)
    flask_style.client.set_cookie("session", browser.cookie() or "")
    assert flask_style.request(lambda s: s.get("a")).text == "None"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        pytest.param({"salt": ""}, "salt", id="empty-salt"),
        pytest.param({"digest_method": "sha999"}, "sha999", id="unknown-digest"),
    ],
)
def test_bad_interface_settings_fail_at_build(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SecureCookieSessionInterface(**settings)


def test_open_session_returns_none_without_a_key() -> None:
    interface = SecureCookieSessionInterface()
    assert interface.open_session(SessionConfig(), {}) is None
    assert interface.is_null_session(interface.make_null_session(SessionConfig()))


def test_a_custom_session_class_is_used(clock: FakeClock) -> None:
    class TaggedSession(SecureCookieSession):
        pass

    class Interface(SecureCookieSessionInterface):
        session_class = TaggedSession

    browser = Browser(interface=Interface(clock=clock))
    assert browser.request(lambda s: type(s.load()).__name__).text == "'TaggedSession'"
