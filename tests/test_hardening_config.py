"""Issue 12, the settings: values that used to pass construction and fail later."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from sessionware import SecureCookieSessionInterface, SessionConfig, SessionMiddleware

from ._apps import Browser, set_cookies
from .conftest import SECRET

# Item 13: a permanent_lifetime too large for datetime fails when the config is built.


@pytest.mark.parametrize(
    "lifetime",
    [
        pytest.param(timedelta(days=3_000_000), id="past-year-9999"),
        pytest.param(1e20, id="huge-seconds"),
        pytest.param(float("inf"), id="infinite"),
        pytest.param(float("nan"), id="nan"),
        pytest.param(timedelta(days=365 * 101), id="over-100-years"),
    ],
)
def test_a_lifetime_datetime_cannot_hold_fails_at_build(lifetime: Any) -> None:
    with pytest.raises(ValueError, match="permanent_lifetime=") as caught:
        SessionConfig(secret_key=SECRET, permanent_lifetime=lifetime)
    assert "100 years" in str(caught.value)
    with pytest.raises(ValueError, match="permanent_lifetime="):
        SessionMiddleware(lambda e, s: [], secret_key=SECRET, permanent_lifetime=lifetime)


def test_the_longest_lifetime_still_saves_a_permanent_session() -> None:
    browser = Browser(permanent_lifetime=timedelta(days=365 * 100))
    (header,) = set_cookies(browser.request(lambda s: setattr(s, "permanent", True)))
    assert f"Max-Age={400 * 86400};" in header


# Item 7: digest_method is checked the way cookies are signed with it.


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("SHA256", id="upper-case"),
        pytest.param("sha3-256", id="openssl-spelling"),
        pytest.param("sha512_256", id="openssl-only"),
        pytest.param("shake_128", id="variable-length"),
        pytest.param("sha999", id="unknown"),
        pytest.param("", id="empty"),
        pytest.param(256, id="not-a-str"),
    ],
)
def test_a_digest_that_cannot_sign_fails_at_build(name: Any) -> None:
    with pytest.raises(ValueError, match="digest_method=") as caught:
        SecureCookieSessionInterface(digest_method=name)
    message = str(caught.value)
    assert f"digest_method={name!r}" in message
    assert "'sha256'" in message


@pytest.mark.parametrize("name", ["sha1", "sha256", "sha512", "sha3_256", "blake2b"])
def test_every_digest_accepted_at_build_signs_and_verifies(name: str) -> None:
    browser = Browser(interface=SecureCookieSessionInterface(digest_method=name))
    browser.request(lambda s: s.__setitem__("a", 1))
    assert browser.request(lambda s: s["a"]).text == "1"


# Item 6: clock_skew is validated and read from the environment.


def test_clock_skew_defaults_to_five_seconds() -> None:
    assert SessionConfig(secret_key=SECRET).clock_skew == timedelta(seconds=5)


@pytest.mark.parametrize(
    ("skew", "error"),
    [
        pytest.param(-1, ValueError, id="negative"),
        pytest.param(timedelta(hours=2), ValueError, id="over-an-hour"),
        pytest.param(True, TypeError, id="bool"),
        pytest.param("5", TypeError, id="str"),
        pytest.param(float("nan"), ValueError, id="nan"),
    ],
)
def test_a_bad_clock_skew_fails_at_build(skew: Any, error: type[Exception]) -> None:
    with pytest.raises(error, match="clock_skew"):
        SessionConfig(secret_key=SECRET, clock_skew=skew)


def test_clock_skew_from_the_environment() -> None:
    environ = {"SESSIONWARE_SECRET_KEY": SECRET, "SESSIONWARE_CLOCK_SKEW": "2.5"}
    assert SessionConfig.from_env(environ=environ).clock_skew == timedelta(seconds=2.5)
    with pytest.raises(ValueError, match=r"SESSIONWARE_CLOCK_SKEW.*seconds"):
        SessionConfig.from_env(environ={**environ, "SESSIONWARE_CLOCK_SKEW": "5s"})


# Item 5: max_payload_size is validated and read from the environment.


def test_max_payload_size_defaults_to_64_kib() -> None:
    assert SessionConfig(secret_key=SECRET).max_payload_size == 65536


@pytest.mark.parametrize("size", [1023, 0, -1, 4096.0, True, "65536"])
def test_a_bad_max_payload_size_fails_at_build(size: Any) -> None:
    with pytest.raises(ValueError, match="max_payload_size"):
        SessionConfig(secret_key=SECRET, max_payload_size=size)


def test_max_payload_size_from_the_environment() -> None:
    environ = {"SESSIONWARE_SECRET_KEY": SECRET, "SESSIONWARE_MAX_PAYLOAD_SIZE": "8192"}
    assert SessionConfig.from_env(environ=environ).max_payload_size == 8192
    with pytest.raises(ValueError, match=r"SESSIONWARE_MAX_PAYLOAD_SIZE.*bytes"):
        SessionConfig.from_env(environ={**environ, "SESSIONWARE_MAX_PAYLOAD_SIZE": "8k"})
