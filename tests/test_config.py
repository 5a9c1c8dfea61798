"""SessionConfig: defaults, validation at build time, and configuration from text."""

from __future__ import annotations

import dataclasses
import json
import warnings
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from sessionware import InsecureSecretWarning, SessionConfig, SessionMiddleware

from .conftest import SECRET


def test_defaults_are_the_safe_ones() -> None:
    config = SessionConfig(secret_key=SECRET)
    assert config.environ_key == "session"
    assert config.cookie_name == "session"
    assert config.cookie_httponly is True
    assert config.cookie_samesite == "Lax"
    assert config.cookie_secure is False
    assert config.cookie_path == "/"
    assert config.permanent_lifetime == timedelta(days=31)
    assert config.refresh_each_request is True
    assert config.max_cookie_size == 4093


def test_config_is_frozen_and_keyword_only() -> None:
    config = SessionConfig(secret_key=SECRET)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.cookie_name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        SessionConfig(SECRET)  # type: ignore[call-arg]


def test_repr_never_shows_secrets() -> None:
    old = "an-old-secret-key-value-of-32-bytes"
    config = SessionConfig(secret_key=SECRET, secret_key_fallbacks=[old])
    text = repr(config)
    assert SECRET not in text
    assert old not in text
    assert "secret_key=<set>" in text
    assert "cookie_name='session'" in text
    assert SECRET not in repr(SessionMiddleware(lambda e, s: [], config))


@pytest.mark.parametrize("empty", [None, "", b""])
def test_empty_secret_means_no_secret(empty: Any) -> None:
    assert SessionConfig(secret_key=empty).secret_key is None


def test_short_secret_warns_without_showing_it() -> None:
    with pytest.warns(InsecureSecretWarning, match="only 5 bytes") as record:
        SessionConfig(secret_key="short")
    assert "short" not in str(record[0].message).replace("only 5 bytes", "")


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: SessionConfig(secret_key="short"), id="config"),
        pytest.param(lambda: SessionConfig.from_env(environ={"SESSIONWARE_SECRET_KEY": "s"})),
        pytest.param(lambda: SessionMiddleware(lambda e, s: [], secret_key="short")),
    ],
)
def test_short_secret_warning_points_at_the_caller(build: Any) -> None:
    with pytest.warns(InsecureSecretWarning) as record:
        build()
    assert record[0].filename == __file__


def test_long_secret_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SessionConfig(secret_key=b"x" * 32)


@pytest.mark.parametrize(
    ("settings", "error", "message"),
    [
        pytest.param({"secret_key_fallbacks": "old"}, TypeError, "list or tuple", id="bare-str"),
        pytest.param({"secret_key_fallbacks": b"old"}, TypeError, "list or tuple", id="bare-bytes"),
        pytest.param({"secret_key_fallbacks": [""]}, TypeError, r"fallbacks\[0\]", id="empty-key"),
        pytest.param({"secret_key_fallbacks": [1]}, TypeError, r"fallbacks\[0\]", id="int-key"),
        pytest.param({"secret_key": 12}, TypeError, "str or bytes", id="int-secret"),
        pytest.param({"cookie_name": "a b"}, ValueError, "cookie_name='a b'", id="name-space"),
        pytest.param({"cookie_name": "a;b"}, ValueError, "not a valid cookie name", id="name-semi"),
        pytest.param({"cookie_name": "a=b"}, ValueError, "not a valid cookie name", id="name-eq"),
        pytest.param({"cookie_name": ""}, TypeError, "non-empty", id="name-empty"),
        pytest.param(
            {"cookie_domain": "example.com; SameSite=None"},
            ValueError,
            "cookie_domain",
            id="domain-injection",
        ),
        pytest.param({"cookie_domain": "a,b.com"}, ValueError, "cookie_domain", id="domain-comma"),
        pytest.param({"cookie_domain": "a\x00.com"}, ValueError, "cookie_domain", id="domain-nul"),
        pytest.param({"cookie_domain": 5}, TypeError, "cookie_domain", id="domain-int"),
        pytest.param({"cookie_path": "/a;b"}, ValueError, "cookie_path", id="path-semi"),
        pytest.param({"cookie_path": "/a b"}, ValueError, "cookie_path", id="path-space"),
        pytest.param({"cookie_path": "relative"}, ValueError, "start with '/'", id="path-rel"),
        pytest.param({"cookie_samesite": "Sometimes"}, ValueError, "Strict", id="samesite-bad"),
        pytest.param({"cookie_samesite": "None"}, ValueError, "cookie_secure=True", id="none-ins"),
        pytest.param({"cookie_partitioned": True}, ValueError, "Partitioned", id="partitioned"),
        pytest.param({"cookie_name": "__Host-s"}, ValueError, "__Host-", id="host-insecure"),
        pytest.param(
            {"cookie_name": "__Host-s", "cookie_secure": True, "cookie_path": "/app"},
            ValueError,
            "cookie_path='/'",
            id="host-path",
        ),
        pytest.param(
            {"cookie_name": "__Host-s", "cookie_secure": True, "cookie_domain": "example.com"},
            ValueError,
            "cookie_domain=None",
            id="host-domain",
        ),
        pytest.param({"cookie_name": "__Secure-s"}, ValueError, "__Secure-", id="secure-prefix"),
        pytest.param({"cookie_secure": "yes"}, TypeError, "cookie_secure", id="secure-str"),
        pytest.param({"refresh_each_request": 1}, TypeError, "refresh", id="refresh-int"),
        pytest.param({"permanent_lifetime": 0}, ValueError, "at least one", id="lifetime-0"),
        pytest.param({"permanent_lifetime": "1d"}, TypeError, "timedelta", id="lifetime-str"),
        pytest.param({"permanent_lifetime": True}, TypeError, "timedelta", id="lifetime-bool"),
        pytest.param({"max_cookie_size": 10}, ValueError, "max_cookie_size", id="size-small"),
        pytest.param({"max_cookie_size": 4e3}, ValueError, "max_cookie_size", id="size-float"),
        pytest.param({"environ_key": ""}, TypeError, "environ_key", id="environ-key-empty"),
    ],
)
def test_bad_settings_fail_at_build_naming_the_parameter(
    settings: dict[str, Any], error: type[Exception], message: str
) -> None:
    settings = {"secret_key": SECRET, **settings}
    with pytest.raises(error, match=message):
        SessionConfig(**settings)
    with pytest.raises(error, match=message):
        SessionMiddleware(lambda e, s: [], **settings)


def test_error_never_shows_a_secret() -> None:
    with pytest.raises(TypeError) as caught:
        SessionConfig(secret_key=SECRET, secret_key_fallbacks=SECRET)  # type: ignore[arg-type]
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    ("settings", "attribute", "expected"),
    [
        pytest.param({"cookie_samesite": "strict"}, "cookie_samesite", "Strict", id="case"),
        pytest.param({"cookie_samesite": None}, "cookie_samesite", None, id="omitted"),
        pytest.param({"cookie_domain": ".Example.com"}, "cookie_domain", "Example.com", id="dot"),
        pytest.param({"permanent_lifetime": 60}, "lifetime_seconds", 60, id="seconds"),
        pytest.param({"permanent_lifetime": 1e9}, "cookie_max_age", 400 * 86400, id="capped"),
        pytest.param(
            {"secret_key_fallbacks": ["o1" * 16, "o2" * 16]},
            "secret_key_fallbacks",
            ("o1" * 16, "o2" * 16),
        ),
    ],
)
def test_settings_are_normalised(settings: dict[str, Any], attribute: str, expected: Any) -> None:
    assert getattr(SessionConfig(secret_key=SECRET, **settings), attribute) == expected


def test_valid_prefixed_names_are_accepted() -> None:
    SessionConfig(secret_key=SECRET, cookie_name="__Host-s", cookie_secure=True)
    SessionConfig(
        secret_key=SECRET,
        cookie_name="__Secure-s",
        cookie_secure=True,
        cookie_samesite="None",
        cookie_partitioned=True,
    )


def test_middleware_takes_config_or_settings_not_both() -> None:
    config = SessionConfig(secret_key=SECRET)
    with pytest.raises(TypeError, match="not both"):
        SessionMiddleware(lambda e, s: [], config, cookie_name="x")
    with pytest.raises(TypeError, match="SessionConfig"):
        SessionMiddleware(lambda e, s: [], {"secret_key": SECRET})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="SessionInterface"):
        SessionMiddleware(lambda e, s: [], config, interface=object())  # type: ignore[arg-type]


def test_secret_key_file(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text(SECRET + "\n")
    config = SessionConfig(secret_key_file=path)
    assert config.secret_key == SECRET
    with pytest.raises(ValueError, match="only one"):
        SessionConfig(secret_key=SECRET, secret_key_file=path)
    with pytest.raises(ValueError, match="cannot be read") as caught:
        SessionConfig(secret_key_file=tmp_path / "missing")
    assert "missing" in str(caught.value)


OLD_KEYS = ("old-one-of-this-test-long-enough-1", "old-two-of-this-test-long-enough-2")


def test_from_env_reads_every_setting(tmp_path: Path) -> None:
    environ = {
        "SESSIONWARE_SECRET_KEY": SECRET,
        "SESSIONWARE_SECRET_KEY_FALLBACKS": json.dumps(OLD_KEYS),
        "SESSIONWARE_ENVIRON_KEY": "app.session",
        "SESSIONWARE_COOKIE_NAME": "__Host-sid",
        "SESSIONWARE_COOKIE_PATH": "/",
        "SESSIONWARE_COOKIE_SECURE": "true",
        "SESSIONWARE_COOKIE_HTTPONLY": "yes",
        "SESSIONWARE_COOKIE_SAMESITE": "strict",
        "SESSIONWARE_COOKIE_PARTITIONED": "on",
        "SESSIONWARE_PERMANENT_LIFETIME": "3600",
        "SESSIONWARE_REFRESH_EACH_REQUEST": "0",
        "SESSIONWARE_MAX_COOKIE_SIZE": "3000",
        "UNRELATED": "ignored",
    }
    config = SessionConfig.from_env(environ=environ)
    assert config == SessionConfig(
        secret_key=SECRET,
        secret_key_fallbacks=OLD_KEYS,
        environ_key="app.session",
        cookie_name="__Host-sid",
        cookie_secure=True,
        cookie_samesite="Strict",
        cookie_partitioned=True,
        permanent_lifetime=3600,
        refresh_each_request=False,
        max_cookie_size=3000,
    )


def test_from_env_uses_os_environ_and_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    monkeypatch.setenv("SESSIONWARE_COOKIE_DOMAIN", "")
    monkeypatch.setenv("SESSIONWARE_COOKIE_SAMESITE", "")
    config = SessionConfig.from_env(cookie_name="custom")
    assert config.secret_key == SECRET
    assert config.cookie_domain is None
    assert config.cookie_samesite is None
    assert config.cookie_name == "custom"


def test_from_env_secret_file(tmp_path: Path) -> None:
    (tmp_path / "key").write_text(SECRET)
    environ = {"APP_SECRET_KEY_FILE": str(tmp_path / "key")}
    assert SessionConfig.from_env("APP_", environ=environ).secret_key == SECRET


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        pytest.param({"SESSIONWARE_COOKIE_SECURED": "1"}, "SESSIONWARE_COOKIE_SECURED", id="typo"),
        pytest.param({"SESSIONWARE_COOKIE_SECURE": "maybe"}, "not a boolean", id="bool"),
        pytest.param({"SESSIONWARE_MAX_COOKIE_SIZE": "big"}, "bytes", id="int"),
        pytest.param({"SESSIONWARE_PERMANENT_LIFETIME": "1d"}, "seconds", id="lifetime"),
    ],
)
def test_from_env_errors_name_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SessionConfig.from_env(environ={"SESSIONWARE_SECRET_KEY": SECRET, **environ})


def test_from_strings_parses_ini_style_values() -> None:
    config = SessionConfig.from_strings(
        {"secret_key": SECRET, "cookie_secure": "True", "permanent_lifetime": "60.0"}
    )
    assert config.cookie_secure is True
    assert config.lifetime_seconds == 60
    with pytest.raises(ValueError, match="unknown session setting") as caught:
        SessionConfig.from_strings({"cookie_secured": "true"})
    assert "cookie_secure," in str(caught.value)
