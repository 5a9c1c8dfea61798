"""``sessionware sign --salt / --digest-method``: cookies for an app whose interface is
built with another salt or digest; the wrong values and ``--help`` of the interface options
``sign`` and ``inspect`` share; and ``inspect``'s note on options that do not apply."""

from __future__ import annotations

import pytest

from sessionware import (
    EncryptedCookieSessionInterface,
    SecureCookieSessionInterface,
    SessionConfig,
)
from sessionware.testing import read_session, session_cookie

from .test_cli_cookies import SECRET, sessionware
from .test_cli_inspect_options import shown

ENV = {"SESSIONWARE_SECRET_KEY": SECRET}


def signed(*args: str) -> str:
    """The cookie value ``sessionware sign`` prints for ``args``."""
    result = sessionware("sign", *args, **ENV)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert SECRET not in result.stdout
    return result.stdout.strip()


def test_sign_with_salt_and_digest_makes_the_cookie_that_app_reads() -> None:
    value = signed('{"user_id": 9}', "--salt", "admin-cookie", "--digest-method", "sha256")
    header = [f"session={value}; Path=/"]
    config = SessionConfig(secret_key=SECRET)
    theirs = SecureCookieSessionInterface(salt="admin-cookie", digest_method="sha256")
    assert read_session(header, config, interface=theirs) == {"user_id": 9}
    # The default interface, and one with only one of the two, refuse it.
    for other in (
        SecureCookieSessionInterface(),
        SecureCookieSessionInterface(salt="admin-cookie"),
        SecureCookieSessionInterface(digest_method="sha256"),
    ):
        with pytest.raises(ValueError, match="does not verify"):
            read_session(header, config, interface=other)
    # inspect, given the same options, reads what sign wrote.
    read = sessionware(
        "inspect", value, "--salt", "admin-cookie", "--digest-method", "sha256", **ENV
    )
    assert shown(read) == {"user_id": 9}


WRONG_VALUES = [
    ("--salt", "", "argument --salt: must not be empty", "salt"),
    ("--digest-method", "md6", "argument --digest-method: 'md6' cannot sign", "digest"),
    ("--digest-method", "shake_128", "'shake_128' cannot sign", "digest-variable"),
]


@pytest.mark.parametrize(
    ("command", "option", "value", "message"),
    [
        *(pytest.param("sign", *wrong[:3], id=f"sign-{wrong[3]}") for wrong in WRONG_VALUES),
        *(pytest.param("inspect", *wrong[:3], id=f"inspect-{wrong[3]}") for wrong in WRONG_VALUES),
        pytest.param(
            "inspect", "--purpose", "", "argument --purpose: must not be empty", id="purpose"
        ),
    ],
)
def test_a_wrong_option_value_is_refused_naming_the_option(
    command: str, option: str, value: str, message: str
) -> None:
    given = '{"n": 1}' if command == "sign" else signed('{"n": 1}')
    result = sessionware(command, given, option, value, **ENV)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("command", ["sign", "inspect"])
def test_help_names_the_options_and_their_defaults(command: str) -> None:
    result = sessionware(command, "--help")
    assert result.returncode == 0
    out = " ".join(result.stdout.split())  # argparse wraps lines
    assert "--salt SALT" in out
    assert "(default: cookie-session)" in out
    assert "--digest-method NAME" in out
    assert "(default: sha1)" in out
    # sign writes signed cookies only, so it has no --purpose.
    assert ("--purpose NAME" in out) is (command == "inspect")
    assert ("(default: session)" in out) is (command == "inspect")


def test_inspect_notes_a_purpose_given_for_a_signed_cookie() -> None:
    value = session_cookie({"n": 1}, SessionConfig(secret_key=SECRET))
    plain = sessionware("inspect", value, **ENV)
    assert shown(plain) == {"n": 1}
    assert plain.stderr == ""
    noted = sessionware("inspect", value, "--purpose", "admin", **ENV)
    assert shown(noted) == {"n": 1}  # a note, not a failure
    assert "--purpose" in noted.stderr
    assert "signed" in noted.stderr
    assert "had no effect" in noted.stderr
    assert "--salt" not in noted.stderr


def test_inspect_notes_salt_and_digest_given_for_an_encrypted_cookie() -> None:
    config = SessionConfig(secret_key=SECRET)
    value = session_cookie({"n": 2}, config, interface=EncryptedCookieSessionInterface())
    plain = sessionware("inspect", value, **ENV)
    assert shown(plain) == {"n": 2}
    assert plain.stderr == ""
    noted = sessionware("inspect", value, "--salt", "s", "--digest-method", "sha256", **ENV)
    assert shown(noted) == {"n": 2}
    assert "--salt and --digest-method" in noted.stderr
    assert "encrypted" in noted.stderr
    assert "had no effect" in noted.stderr
    one = sessionware("inspect", value, "--digest-method", "sha256", **ENV)
    assert shown(one) == {"n": 2}
    assert "--digest-method" in one.stderr
    assert "--salt" not in one.stderr
    # Even a cookie then refused gets the note: the options may be why it was expected
    # to pass.
    refused = sessionware("inspect", value, "--salt", "s", SESSIONWARE_SECRET_KEY="w" * 40)
    assert refused.returncode == 1
    assert "--salt" in refused.stderr
