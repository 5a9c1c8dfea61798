"""Issue 12, the settings: values that used to pass construction and fail later."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from sessionware import (
    InsecureSecretWarning,
    SecureCookieSessionInterface,
    SessionConfig,
    SessionMiddleware,
)

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


# Item 2: fallback keys in a form that cannot split a key, and the length rules.

OLD_1 = "an-old-key-of-the-app-that-is-32+bytes"
OLD_2 = "another-old-key,with a comma,and spaces"


def test_fallbacks_from_the_environment_as_a_json_list() -> None:
    environ = {
        "SESSIONWARE_SECRET_KEY": SECRET,
        "SESSIONWARE_SECRET_KEY_FALLBACKS": json.dumps([OLD_1, OLD_2]),
    }
    assert SessionConfig.from_env(environ=environ).secret_key_fallbacks == (OLD_1, OLD_2)


def test_a_single_fallback_without_a_comma_still_works() -> None:
    environ = {"SESSIONWARE_SECRET_KEY": SECRET, "SESSIONWARE_SECRET_KEY_FALLBACKS": f" {OLD_1} "}
    assert SessionConfig.from_env(environ=environ).secret_key_fallbacks == (OLD_1,)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(f"{OLD_1},{OLD_1}x", "comma", id="comma-separated"),
        pytest.param(OLD_2, "comma", id="one-key-with-a-comma"),
        pytest.param(f'["{OLD_1}"', "JSON list", id="broken-json"),
        pytest.param(json.dumps({"k": OLD_1}), "JSON list", id="json-object"),
        pytest.param(json.dumps([OLD_1, 5]), "JSON list", id="json-non-string"),
    ],
)
def test_an_ambiguous_or_broken_fallback_value_is_refused(value: str, message: str) -> None:
    environ = {"SESSIONWARE_SECRET_KEY": SECRET, "SESSIONWARE_SECRET_KEY_FALLBACKS": value}
    with pytest.raises(ValueError, match=message) as caught:
        SessionConfig.from_env(environ=environ)
    assert "SESSIONWARE_SECRET_KEY_FALLBACKS" in str(caught.value)
    assert OLD_1 not in str(caught.value)
    assert "with a comma" not in str(caught.value)


def test_fallbacks_from_a_file_one_key_per_line(tmp_path: Path) -> None:
    path = tmp_path / "fallbacks"
    path.write_text(f"{OLD_1}\n\n  {OLD_2}  \n")
    config = SessionConfig(secret_key=SECRET, secret_key_fallbacks_file=path)
    assert config.secret_key_fallbacks == (OLD_1, OLD_2)
    environ = {"SESSIONWARE_SECRET_KEY": SECRET, "SESSIONWARE_SECRET_KEY_FALLBACKS_FILE": str(path)}
    assert SessionConfig.from_env(environ=environ).secret_key_fallbacks == (OLD_1, OLD_2)
    assert OLD_1 not in repr(config)
    assert str(path) not in repr(config)


def test_an_empty_fallbacks_file_means_no_fallbacks(tmp_path: Path) -> None:
    path = tmp_path / "fallbacks"
    path.write_text("\n")
    assert (
        SessionConfig(secret_key=SECRET, secret_key_fallbacks_file=path).secret_key_fallbacks == ()
    )


def test_fallbacks_file_errors(tmp_path: Path) -> None:
    path = tmp_path / "fallbacks"
    path.write_text(OLD_1)
    with pytest.raises(ValueError, match="only one"):
        SessionConfig(
            secret_key=SECRET, secret_key_fallbacks=[OLD_1], secret_key_fallbacks_file=path
        )
    with pytest.raises(ValueError, match="cannot be read") as caught:
        SessionConfig(secret_key=SECRET, secret_key_fallbacks_file=tmp_path / "missing")
    assert "secret_key_fallbacks_file=" in str(caught.value)
    path.write_bytes(b"\xff" * 40)
    with pytest.raises(ValueError, match="not UTF-8"):
        SessionConfig(secret_key=SECRET, secret_key_fallbacks_file=path)


def test_a_short_fallback_warns_without_showing_it() -> None:
    short = "a-fallback-of-24-bytes.."
    with pytest.warns(
        InsecureSecretWarning, match=r"secret_key_fallbacks\[1\] is only 24 bytes"
    ) as record:
        SessionConfig(secret_key=SECRET, secret_key_fallbacks=[OLD_1, short])
    assert short not in str(record[0].message)
    assert record[0].filename == __file__


@pytest.mark.parametrize("short", ["k1", "fifteen-bytes!!", b"\x00" * 15])
def test_a_very_short_fallback_warns_like_a_short_secret_key(short: str | bytes) -> None:
    """Never accepted silently; not refused, as a short ``secret_key`` is not either."""
    with pytest.warns(InsecureSecretWarning, match=r"secret_key_fallbacks\[0\] is only") as record:
        config = SessionConfig(secret_key=SECRET, secret_key_fallbacks=[short])
    assert repr(short) not in str(record[0].message)
    assert config.secret_key_fallbacks == (short,)


def test_the_ini_takes_a_json_list_or_one_key_per_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paste.deploy import loadapp

    from .test_paste import ini, session_middleware

    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    as_json = ini(tmp_path, f"secret_key_fallbacks = {json.dumps([OLD_1, OLD_2])}")
    assert session_middleware(loadapp(as_json)).config.secret_key_fallbacks == (OLD_1, OLD_2)
    lines = ini(tmp_path, f"secret_key_fallbacks =\n    {OLD_1}\n    {OLD_1}-2")
    assert session_middleware(loadapp(lines)).config.secret_key_fallbacks == (OLD_1, f"{OLD_1}-2")
    with pytest.raises(ValueError, match="comma"):
        loadapp(ini(tmp_path, f"secret_key_fallbacks = {OLD_1}, {OLD_1}-2"))


def test_fallbacks_in_the_ini_hide_those_of_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paste.deploy import loadapp

    from .test_paste import ini, session_middleware

    path = tmp_path / "fallbacks"
    path.write_text(OLD_2)
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY_FALLBACKS", json.dumps([OLD_1]))
    app = session_middleware(loadapp(ini(tmp_path, f"secret_key_fallbacks_file = {path}")))
    assert app.config.secret_key_fallbacks == (OLD_2,)
