"""``sessionware gen-key``, ``sign`` and ``inspect``: signed cookies from the shell.

The secret key comes from ``SESSIONWARE_SECRET_KEY``, ``SESSIONWARE_SECRET_KEY_FILE`` or
``--key-file``, never from an argument (arguments show in ``ps`` and shell history), and
is never printed. The other ``SESSIONWARE_*`` variables (fallback keys, the lifetime)
apply as they do to the app, so ``inspect`` judges a cookie as the app would. ``inspect``
also reads encrypted cookies (``e1.`` tokens) with the app's key ring
(``--keyring-file`` or ``SESSIONWARE_KEYRING_FILE``) or secret key.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ._signing import BadCookie
from .config import SessionConfig
from .securecookie import SecureCookieSessionInterface
from .testing import session_cookie

__all__ = ["add_commands"]

#: Exit statuses: the cookie was refused; the command was misused or misconfigured.
REFUSED, USAGE = 1, 2
# Verify signatures without an age limit, then judge the age: an expired cookie is
# still reported (data, age), and then refused.
_NO_AGE_LIMIT = 2**62

Subparsers = Any  # argparse's _SubParsersAction, which typeshed keeps private


def add_commands(subparsers: Subparsers) -> None:
    """Register ``gen-key``, ``sign`` and ``inspect`` on the ``sessionware`` parser."""
    gen_key = subparsers.add_parser(
        "gen-key",
        help="print a new random secret key",
        description="Print a new random secret key (hex) for SESSIONWARE_SECRET_KEY.",
    )
    gen_key.add_argument(
        "--bytes",
        type=int,
        default=32,
        help="bytes of randomness, at least 32 (default: %(default)s)",
    )
    gen_key.set_defaults(run=_gen_key)

    sign = subparsers.add_parser(
        "sign",
        help="print a signed session cookie value for some JSON",
        description="Print the cookie value of a session holding JSON (an object). " + _KEY_HELP,
    )
    sign.add_argument("json", metavar="JSON", help="the session data, e.g. '{\"user_id\": 1}'")
    sign.add_argument(
        "--permanent", action="store_true", help="mark the session permanent (_permanent)"
    )
    _key_file_option(sign)
    sign.set_defaults(run=_sign)

    inspect = subparsers.add_parser(
        "inspect",
        help="verify a session cookie and print what it holds",
        description="Verify a session cookie value and print its data as JSON, its age, "
        "which key signed it and whether it has expired. Exits 1 if the cookie is "
        "tampered, expired or garbled. An encrypted cookie (an e1. token) is said to be "
        "one, and decrypted with the key ring of --keyring-file or "
        "SESSIONWARE_KEYRING_FILE (or the secret key). " + _KEY_HELP,
    )
    inspect.add_argument(
        "cookie", metavar="COOKIE", help="the cookie value (or name=value); - reads stdin"
    )
    _key_file_option(inspect)
    inspect.add_argument(
        "--keyring-file",
        metavar="PATH",
        help="the app's key ring (JSON, as `sessionware keys` writes it); wins over "
        "SESSIONWARE_KEYRING_FILE",
    )
    inspect.set_defaults(run=_inspect)


_KEY_HELP = (
    "The key comes from SESSIONWARE_SECRET_KEY, SESSIONWARE_SECRET_KEY_FILE or --key-file; "
    "SESSIONWARE_SECRET_KEY_FALLBACKS and SESSIONWARE_PERMANENT_LIFETIME apply too."
)


def _key_file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--key-file",
        metavar="PATH",
        help="read the secret key from this file (wins over the environment)",
    )


def _fail(message: str, status: int) -> int:
    print(f"sessionware: {message}", file=sys.stderr)
    return status


def _config(args: argparse.Namespace) -> SessionConfig:
    """The app's settings from the environment, with ``--key-file`` winning.

    :raises ValueError: the settings are wrong or give no secret key.
    """
    environ = dict(os.environ)
    overrides: dict[str, Any] = {}
    if args.key_file is not None:
        environ.pop("SESSIONWARE_SECRET_KEY", None)
        environ.pop("SESSIONWARE_SECRET_KEY_FILE", None)
        overrides["secret_key_file"] = args.key_file
    if getattr(args, "keyring_file", None) is not None:
        environ.pop("SESSIONWARE_KEYRING_FILE", None)
        overrides["keyring_file"] = args.keyring_file
    config = SessionConfig.from_env(environ=environ, **overrides)
    if not config.secret_key and config.keyring is None:
        raise ValueError(
            "no secret key: set SESSIONWARE_SECRET_KEY or SESSIONWARE_SECRET_KEY_FILE, or "
            "pass --key-file PATH (never the key itself as an argument)."
        )
    return config


def _with_config(args: argparse.Namespace, then: Callable[[SessionConfig], int]) -> int:
    try:
        config = _config(args)
    except (TypeError, ValueError) as exc:
        return _fail(str(exc), USAGE)
    return then(config)


def _gen_key(args: argparse.Namespace) -> int:
    if args.bytes < 32:
        return _fail(f"--bytes {args.bytes} is too few; use at least 32.", USAGE)
    print(secrets.token_hex(args.bytes))
    return 0


def _sign(args: argparse.Namespace) -> int:
    try:
        data = json.loads(args.json)
    except ValueError as exc:
        return _fail(f"JSON is not valid JSON ({exc}).", USAGE)
    if not isinstance(data, dict) or not data:
        return _fail("JSON must be a non-empty object, e.g. '{\"user_id\": 1}'.", USAGE)
    if args.permanent:
        data["_permanent"] = True

    def sign(config: SessionConfig) -> int:
        print(session_cookie(data, config))
        return 0

    return _with_config(args, sign)


def _inspect(args: argparse.Namespace) -> int:
    value = (sys.stdin.readline() if args.cookie == "-" else args.cookie).strip()
    name, equals, rest = value.partition("=")
    cookie_name: str | None = None
    if equals and "." not in name:
        value, cookie_name = rest, name  # given as name=value, as in a Cookie header
    if not value.startswith(_ENCRYPTED):
        return _with_config(args, lambda config: _report(value, config))
    what = _encrypted_token(value)
    try:
        config = _config(args)
    except (TypeError, ValueError) as exc:
        return _fail(f"{what}; {exc}", USAGE)
    return _report_encrypted(value, config, cookie_name or config.cookie_name, what)


_ENCRYPTED = "e1."


def _encrypted_token(value: str) -> str:
    """What an ``e1.`` token is, naming its key's ID (an ID, never key material)."""
    key_id = value[len(_ENCRYPTED) :].partition(".")[0]
    return f"the cookie is an encrypted sessionware token (format e1, key id {key_id!r})"


def _report_encrypted(value: str, config: SessionConfig, name: str, what: str) -> int:
    """Decrypt and show an encrypted cookie as :func:`_report` shows a signed one."""
    try:
        from .encrypted import EncryptedCookieSessionInterface

        interface = EncryptedCookieSessionInterface()
    except ImportError as exc:  # pragma: no cover - the test extra installs cryptography
        return _fail(f"{what}; {exc}", USAGE)
    sealer = interface._sealer(config)
    if sealer is None:  # pragma: no cover - _config insists on a key
        return _fail(f"{what}; no key.", USAGE)
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
        if config.keyring is None:
            hint = (
                "; if the app encrypts with a key ring, pass --keyring-file PATH or set "
                "SESSIONWARE_KEYRING_FILE"
            )
        return _fail(f"{what}, refused: {exc.reason}{hint}.", REFUSED)
    except (ValueError, RecursionError):
        return _fail(f"{what}, refused: the decrypted payload is not tagged JSON.", REFUSED)
    if not isinstance(data, dict):
        return _fail(f"{what}, refused: the decrypted payload is not a JSON object.", REFUSED)
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
        return _fail(
            f"refused: the cookie is {age} seconds old, older than the lifetime of "
            f"{config.lifetime_seconds} seconds.",
            REFUSED,
        )
    return 0


def _report(value: str, config: SessionConfig) -> int:
    interface = SecureCookieSessionInterface()
    signer = interface._signer(config)
    if signer is None:  # pragma: no cover - _config insists on a key
        return _fail("no secret key.", USAGE)
    now = int(time.time())
    try:
        payload, key_index, signed_at = signer.loads(value, now, _NO_AGE_LIMIT)
        data = interface.serializer.loads(payload.decode("utf-8"))
    except BadCookie as exc:
        return _fail(f"refused: {exc.reason}.", REFUSED)
    except (ValueError, RecursionError):
        return _fail("refused: the signed payload is not tagged JSON.", REFUSED)
    if not isinstance(data, dict):
        return _fail("refused: the signed payload is not a JSON object.", REFUSED)
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
