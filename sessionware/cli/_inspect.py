"""``sessionware inspect``: what a session cookie holds, judged as the app judges it.

The key comes as for ``sign`` (:mod:`sessionware.cli._cookies`), and the other
``SESSIONWARE_*`` variables (fallback keys, the lifetime) apply as they do to the app.
Encrypted cookies (``e1.`` tokens) are read with the app's key ring (``--keyring-file``
or ``SESSIONWARE_KEYRING_FILE``) or secret key. The interface's own options are not
settings: an app built with another ``purpose`` (encrypted), ``salt`` or
``digest_method`` (signed) than the default needs ``--purpose``, ``--salt`` or
``--digest-method``, and a refusal that may come of them says so.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

from sessionware.config.settings import SessionConfig
from sessionware.cookies._signing import BadCookie
from sessionware.interfaces.encrypted import EncryptedCookieSessionInterface

from ._cookies import (
    KEY_HELP,
    REFUSED,
    USAGE,
    app_config,
    fail,
    key_file_option,
    purpose_option,
    signed_interface,
    signing_options,
    with_config,
)

__all__ = ["add_command"]

# Verify signatures without an age limit, then judge the age: an expired cookie is
# still reported (data, age), and then refused.
_NO_AGE_LIMIT = 2**62


def add_command(subparsers: Any) -> None:
    """Register ``inspect`` on the ``sessionware`` parser."""
    inspect = subparsers.add_parser(
        "inspect",
        help="verify a session cookie and print what it holds",
        description="Verify a session cookie value and print its data as JSON, its age, "
        "which key signed it and whether it has expired. Exits 1 if the cookie is "
        "tampered, expired or garbled. An encrypted cookie (an e1. token) is said to be "
        "one, and decrypted with the key ring of --keyring-file or "
        "SESSIONWARE_KEYRING_FILE (or the secret key); give it as name=value (or set "
        "SESSIONWARE_COOKIE_NAME) when its name is not session, as the name is bound into "
        "it. Cookies of an app whose interface has another purpose (encrypted), salt or "
        "digest method (signed) need --purpose, --salt or --digest-method. " + KEY_HELP,
    )
    inspect.add_argument(
        "cookie", metavar="COOKIE", help="the cookie value (or name=value); - reads stdin"
    )
    key_file_option(inspect)
    inspect.add_argument(
        "--keyring-file",
        metavar="PATH",
        help="the app's key ring (JSON, as `sessionware keys` writes it); wins over "
        "SESSIONWARE_KEYRING_FILE",
    )
    purpose_option(inspect)
    signing_options(inspect)
    inspect.set_defaults(run=_inspect)


def _inspect(args: argparse.Namespace) -> int:
    value = (sys.stdin.readline() if args.cookie == "-" else args.cookie).strip()
    name, equals, rest = value.partition("=")
    cookie_name: str | None = None
    if equals and "." not in name:
        value, cookie_name = rest, name  # given as name=value, as in a Cookie header
    if not value.startswith(_ENCRYPTED):
        _note_ignored(["--purpose"] if args.purpose is not None else [], "signed")
        return with_config(args, lambda config: _report(value, config, args))
    ignored = [
        flag
        for flag, given in (("--salt", args.salt), ("--digest-method", args.digest_method))
        if given is not None
    ]
    _note_ignored(ignored, "encrypted")
    what = _encrypted_token(value)
    try:
        config = app_config(args)
    except (TypeError, ValueError) as exc:
        return fail(f"{what}; {exc}", USAGE)
    return _report_encrypted(value, config, cookie_name or config.cookie_name, what, args.purpose)


_ENCRYPTED = "e1."


def _note_ignored(flags: list[str], kind: str) -> None:
    """Say on stderr that ``flags``, given for the other format, do not apply to a ``kind``
    cookie: the cookie is read all the same, so the note does not change the exit status."""
    if flags:
        other = "signed" if kind == "encrypted" else "encrypted"
        print(
            f"sessionware: note: the cookie is {kind}, so {' and '.join(flags)} "
            f"(for {other} cookies) had no effect.",
            file=sys.stderr,
        )


def _encrypted_token(value: str) -> str:
    """What an ``e1.`` token is, naming its key's ID (an ID, never key material)."""
    key_id = value[len(_ENCRYPTED) :].partition(".")[0]
    return f"the cookie is an encrypted sessionware token (format e1, key id {key_id!r})"


def _report_encrypted(
    value: str, config: SessionConfig, name: str, what: str, purpose: str | None
) -> int:
    """Decrypt and show an encrypted cookie as :func:`_report` shows a signed one."""
    try:
        interface = EncryptedCookieSessionInterface(purpose=purpose)
    except ImportError as exc:  # pragma: no cover - the test extra installs cryptography
        return fail(f"{what}; {exc}", USAGE)
    purpose = interface.purpose
    sealer = interface._sealer(config)
    if sealer is None:  # pragma: no cover - app_config insists on a key
        return fail(f"{what}; no key.", USAGE)
    now = int(time.time())
    try:
        opened = sealer.open(
            value,
            now,
            _NO_AGE_LIMIT,
            name,
            skew=config.clock_skew_seconds,
            max_payload=config.max_payload_size,
        )
        data = interface.serializer.loads(opened.payload.decode("utf-8"))
    except BadCookie as exc:
        hint = ""
        if "failed authentication" in exc.reason:
            # The token names a key the reader has, so what else is bound into it differs.
            hint = (
                f"; tried purpose {purpose!r} and cookie name {name!r}: for an app built "
                "with EncryptedCookieSessionInterface(purpose=...), pass --purpose NAME; for "
                "another cookie name, give the cookie as NAME=VALUE or set "
                "SESSIONWARE_COOKIE_NAME"
            )
        elif exc.code == "bad_signature" and config.keyring is None:
            hint = (
                "; if the app encrypts with a key ring, pass --keyring-file PATH or set "
                "SESSIONWARE_KEYRING_FILE"
            )
        return fail(f"{what}, refused: {exc.reason}{hint}.", REFUSED)
    except (ValueError, RecursionError):
        return fail(f"{what}, refused: the decrypted payload is not tagged JSON.", REFUSED)
    if not isinstance(data, dict):
        return fail(f"{what}, refused: the decrypted payload is not a JSON object.", REFUSED)
    key = (
        "the current key"
        if opened.current
        else "an older key, not retired (the app re-encrypts the cookie with the current key)"
    )
    print(what.replace("the cookie is ", "format: ", 1))
    return _show(data, "encrypted", opened.sealed_at, now, key, config)


def _show(
    data: dict[str, Any], verb: str, issued: int, now: int, key: str, config: SessionConfig
) -> int:
    """Print a verified cookie's data, age and key; refuse it (status 1) if expired."""
    age = now - issued
    expired = age > config.lifetime_seconds
    print(json.dumps(data, indent=2, sort_keys=True, default=str))
    print(f"{verb} at: {datetime.fromtimestamp(issued, UTC).isoformat()}")
    print(f"age: {age} seconds (lifetime {config.lifetime_seconds})")
    print(f"{verb} with: {key}")
    print(f"expired: {'yes' if expired else 'no'}")
    if expired:
        return fail(
            f"refused: the cookie is {age} seconds old, older than the lifetime of "
            f"{config.lifetime_seconds} seconds.",
            REFUSED,
        )
    return 0


def _report(value: str, config: SessionConfig, args: argparse.Namespace) -> int:
    interface = signed_interface(args)
    signer = interface._signer(config)
    if signer is None:  # pragma: no cover - app_config insists on a key
        return fail("no secret key.", USAGE)
    now = int(time.time())
    try:
        payload, key_index, signed_at = signer.loads(value, now, _NO_AGE_LIMIT)
        data = interface.serializer.loads(payload.decode("utf-8"))
    except BadCookie as exc:
        hint = ""
        if "does not match" in exc.reason:  # as SessionInterface tells a bad signature
            hint = (
                f"; tried salt {interface.salt!r} and digest {interface.digest_method!r}: "
                "for an app built with SecureCookieSessionInterface(salt=..., "
                "digest_method=...), pass --salt SALT and --digest-method NAME; else another "
                "key signed it, or it was altered"
            )
        return fail(f"refused: {exc.reason}{hint}.", REFUSED)
    except (ValueError, RecursionError):
        return fail("refused: the signed payload is not tagged JSON.", REFUSED)
    if not isinstance(data, dict):
        return fail("refused: the signed payload is not a JSON object.", REFUSED)
    if key_index == 0:
        key = "the current key"
    elif config.keyring is not None:
        # A ring's keys carry no number a reader would know; the ID is not in the cookie.
        key = "an older key, not retired (the app re-signs the cookie with the current key)"
    else:
        # Fallbacks are tried newest first; number them as SECRET_KEY_FALLBACKS lists them.
        count = len(config.secret_key_fallbacks)
        key = f"fallback key {count - key_index + 1} of {count} (oldest first)"
    return _show(data, "signed", signed_at, now, key, config)
