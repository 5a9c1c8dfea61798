"""``sessionware inspect --purpose / --salt / --digest-method``: cookies of an app whose
interface is built with other than the default purpose, salt or digest."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from sessionware import (
    EncryptedCookieSessionInterface,
    Key,
    KeyRing,
    SecureCookieSessionInterface,
    SessionConfig,
)
from sessionware.testing import session_cookie

from .test_cli_cookies import SECRET, sessionware
from .test_cli_inspect_encrypted import ring_file


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The error of a refused cookie (exit 1, nothing shown, no secret in it)."""
    assert result.returncode == 1
    assert result.stdout == ""
    assert SECRET not in result.stderr
    return result.stderr


def shown(result: subprocess.CompletedProcess[str]) -> object:
    """The session data an accepted cookie is shown with."""
    assert result.returncode == 0, result.stderr
    out = result.stdout
    return json.loads(out[out.index("{") : out.index("}") + 1])


def test_an_encrypted_cookie_of_another_purpose_is_read_with_purpose() -> None:
    config = SessionConfig(secret_key=SECRET)
    value = session_cookie(
        {"admin": 1}, config, interface=EncryptedCookieSessionInterface(purpose="admin")
    )
    err = refusal(sessionware("inspect", value, SESSIONWARE_SECRET_KEY=SECRET))
    assert "failed authentication" in err
    # It says what it tried, and how to try something else.
    assert "purpose 'session' and cookie name 'session'" in err
    assert "--purpose NAME" in err
    assert "NAME=VALUE" in err
    assert "SESSIONWARE_COOKIE_NAME" in err
    assert "--keyring-file" not in err  # the token's key is known: a ring is no cure

    read = sessionware("inspect", value, "--purpose", "admin", SESSIONWARE_SECRET_KEY=SECRET)
    assert shown(read) == {"admin": 1}
    assert "encrypted with: the current key" in read.stdout


def test_the_purpose_and_the_cookie_name_are_both_needed() -> None:
    config = SessionConfig(secret_key=SECRET, cookie_name="admin_session")
    value = session_cookie(
        {"n": 2}, config, interface=EncryptedCookieSessionInterface(purpose="admin")
    )
    env = {"SESSIONWARE_SECRET_KEY": SECRET}
    wrong_name = refusal(sessionware("inspect", value, "--purpose", "admin", **env))
    assert "purpose 'admin' and cookie name 'session'" in wrong_name
    for right in (
        sessionware("inspect", f"admin_session={value}", "--purpose", "admin", **env),
        sessionware(
            "inspect", value, "--purpose", "admin", SESSIONWARE_COOKIE_NAME="admin_session", **env
        ),
    ):
        assert shown(right) == {"n": 2}


def test_a_refused_token_of_an_unknown_key_gets_no_purpose_hint(tmp_path: Path) -> None:
    # A key the reader lacks, not the purpose, is then the cause: say only that.
    theirs = Key.generate(time.time() - 60, "theirs")
    value = session_cookie(
        {"n": 1},
        SessionConfig(keyring=KeyRing([theirs])),
        interface=EncryptedCookieSessionInterface(),
    )
    mine = ring_file(tmp_path, Key.generate(time.time() - 60, "mine"))
    err = refusal(sessionware("inspect", value, "--keyring-file", str(mine)))
    assert "retired or unknown key" in err
    assert "--purpose" not in err


def test_a_signed_cookie_of_another_salt_and_digest_is_read_with_both(tmp_path: Path) -> None:
    interface = SecureCookieSessionInterface(salt="admin-cookie", digest_method="sha256")
    value = session_cookie({"user_id": 9}, SessionConfig(secret_key=SECRET), interface=interface)
    env = {"SESSIONWARE_SECRET_KEY": SECRET}
    err = refusal(sessionware("inspect", value, **env))
    assert "does not match any configured key" in err
    assert "salt 'cookie-session' and digest 'sha1'" in err
    assert "--salt SALT" in err
    assert "--digest-method NAME" in err
    # One of the two is not enough.
    half = refusal(sessionware("inspect", value, "--salt", "admin-cookie", **env))
    assert "salt 'admin-cookie' and digest 'sha1'" in half
    read = sessionware(
        "inspect", value, "--salt", "admin-cookie", "--digest-method", "sha256", **env
    )
    assert shown(read) == {"user_id": 9}
    assert "signed with: the current key" in read.stdout


def test_a_ring_signed_cookie_is_verified_with_the_salt(tmp_path: Path) -> None:
    key = Key.generate(time.time() - 60, "k1")
    value = session_cookie(
        {"n": 3},
        SessionConfig(keyring=KeyRing([key])),
        interface=SecureCookieSessionInterface(salt="ring-salt"),
    )
    path = str(ring_file(tmp_path, key))
    assert "salt 'cookie-session'" in refusal(sessionware("inspect", value, "--keyring-file", path))
    read = sessionware("inspect", value, "--keyring-file", path, "--salt", "ring-salt")
    assert shown(read) == {"n": 3}


# The wrong values and --help of these options: tests/test_cli_sign_options.py, for both
# commands that take them.
