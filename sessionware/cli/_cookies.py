"""``sessionware gen-key`` and ``sign``: signed cookies from the shell, and the key
handling and interface options they share with ``inspect`` (:mod:`sessionware.cli._inspect`).

The secret key comes from ``SESSIONWARE_SECRET_KEY``, ``SESSIONWARE_SECRET_KEY_FILE`` or
``--key-file``, never from an argument (arguments show in ``ps`` and shell history), and
is never printed. The other ``SESSIONWARE_*`` variables (fallback keys, the lifetime)
apply as they do to the app.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
from collections.abc import Callable
from typing import Any

from sessionware.config.settings import SessionConfig
from sessionware.cookies._signing import check_digest_method
from sessionware.interfaces.codecs import EncryptedCodec
from sessionware.interfaces.encrypted import EncryptedCookieSessionInterface
from sessionware.interfaces.signed import SecureCookieSessionInterface
from sessionware.testing import session_cookie

__all__ = [
    "KEY_HELP",
    "REFUSED",
    "USAGE",
    "add_commands",
    "app_config",
    "fail",
    "key_file_option",
    "purpose_option",
    "signed_interface",
    "signing_options",
    "with_config",
]

#: Exit statuses: the cookie was refused; the command was misused or misconfigured.
REFUSED, USAGE = 1, 2

Subparsers = Any  # argparse's _SubParsersAction, which typeshed keeps private


def add_commands(subparsers: Subparsers) -> None:
    """Register ``gen-key`` and ``sign`` on the ``sessionware`` parser."""
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
        description="Print the cookie value of a session holding JSON (an object), signed "
        "as SecureCookieSessionInterface signs it; for an app whose interface has another "
        "salt or digest method, pass --salt and --digest-method. " + KEY_HELP,
    )
    sign.add_argument("json", metavar="JSON", help="the session data, e.g. '{\"user_id\": 1}'")
    sign.add_argument(
        "--permanent", action="store_true", help="mark the session permanent (_permanent)"
    )
    key_file_option(sign)
    signing_options(sign)
    sign.set_defaults(run=_sign)


KEY_HELP = (
    "The key comes from SESSIONWARE_SECRET_KEY, SESSIONWARE_SECRET_KEY_FILE or --key-file; "
    "SESSIONWARE_SECRET_KEY_FALLBACKS and SESSIONWARE_PERMANENT_LIFETIME apply too."
)


def key_file_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--key-file PATH``, which :func:`app_config` reads, to ``parser``."""
    parser.add_argument(
        "--key-file",
        metavar="PATH",
        help="read the secret key from this file (wins over the environment)",
    )


def signing_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--salt`` and ``--digest-method``, which :func:`signed_interface` reads.

    Left out, each is ``None``: the interface's default (Flask's), and a sign that it
    was not given.
    """
    _interface_option(parser, "--salt", "SALT", _non_empty, "signed", "salt")
    _interface_option(
        parser,
        "--digest-method",
        "NAME",
        _digest_method,
        "signed",
        "digest_method",
        ", a hashlib name",
    )


def purpose_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--purpose NAME`` for encrypted cookies; left out, it is ``None`` (the default)."""
    _interface_option(parser, "--purpose", "NAME", _non_empty, "encrypted", "purpose")


def _interface_option(
    parser: argparse.ArgumentParser,
    flag: str,
    metavar: str,
    check: Callable[[str], str],
    kind: str,
    parameter: str,
    more: str = "",
) -> None:
    """One option that sets the ``parameter`` of the interface of ``kind`` cookies;
    ``check`` turns a wrong value into argparse's exit 2, naming ``flag``."""
    interface = (
        SecureCookieSessionInterface if kind == "signed" else EncryptedCookieSessionInterface
    )
    # The signed interface holds its salt and digest; the encrypted one's codec its purpose.
    default = getattr(
        SecureCookieSessionInterface if kind == "signed" else EncryptedCodec, parameter
    )
    parser.add_argument(
        flag,
        metavar=metavar,
        type=check,
        help=f"for {kind} cookies: the app's {interface.__name__}({parameter}=...){more} "
        f"(default: {default})",
    )


def signed_interface(args: argparse.Namespace) -> SecureCookieSessionInterface:
    """The signed-cookie interface that :func:`signing_options`' flags ask for."""
    return SecureCookieSessionInterface(salt=args.salt, digest_method=args.digest_method)


def _non_empty(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def _digest_method(text: str) -> str:
    try:
        check_digest_method(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} cannot sign cookies; give a hashlib name such as sha1 (Flask's), "
            "sha256 or sha512"
        ) from None
    return text


def fail(message: str, status: int) -> int:
    """Print ``message`` as the command's error and return the exit ``status``."""
    print(f"sessionware: {message}", file=sys.stderr)
    return status


def app_config(args: argparse.Namespace) -> SessionConfig:
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


def with_config(args: argparse.Namespace, then: Callable[[SessionConfig], int]) -> int:
    """Run ``then`` with :func:`app_config`; a wrong setting exits with :data:`USAGE`."""
    try:
        config = app_config(args)
    except (TypeError, ValueError) as exc:
        return fail(str(exc), USAGE)
    return then(config)


def _gen_key(args: argparse.Namespace) -> int:
    if args.bytes < 32:
        return fail(f"--bytes {args.bytes} is too few; use at least 32.", USAGE)
    print(secrets.token_hex(args.bytes))
    return 0


def _sign(args: argparse.Namespace) -> int:
    try:
        data = json.loads(args.json)
    except ValueError as exc:
        return fail(f"JSON is not valid JSON ({exc}).", USAGE)
    if not isinstance(data, dict) or not data:
        return fail("JSON must be a non-empty object, e.g. '{\"user_id\": 1}'.", USAGE)
    if args.permanent:
        data["_permanent"] = True

    def sign(config: SessionConfig) -> int:
        print(session_cookie(data, config, interface=signed_interface(args)))
        return 0

    return with_config(args, sign)
