"""Verifying one cookie written by Starlette's ``SessionMiddleware``.

Its value is ``base64(JSON)`` signed by an itsdangerous ``TimestampSigner`` keyed with
``str(secret_key)``. Only the signature is checked here, never the age: itsdangerous
would check it on its own clock, and not at all with ``max_age=None``. The caller
checks the signed timestamp against the server's limits, on the interface's clock,
as it checks its own cookies.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, TimestampSigner

from sessionware.cookies._signing import BadCookie

__all__ = ["StarletteCookie", "check_until", "open_starlette_cookie", "starlette_signers"]

#: A verified Starlette cookie: its session data and its signed timestamp.
StarletteCookie = tuple[dict[str, Any], int]


def starlette_key(key: str | bytes) -> str:
    """The text Starlette keys its signer with for ``key``: ``str(key)``.

    For :class:`bytes` that is its repr (``"b'...'"``), which is what a Starlette app
    given the same bytes signed with. Decoding the bytes instead would let keys that
    decode alike (invalid UTF-8 turns into U+FFFD) verify each other's cookies.
    """
    # repr(), equal to str() for bytes, without python -b's BytesWarning.
    return key if isinstance(key, str) else repr(key)


def starlette_signers(keys: Sequence[str | bytes | None]) -> list[TimestampSigner]:
    """One signer per configured key (empty ones skipped), in the order given."""
    return [TimestampSigner(starlette_key(key)) for key in keys if key]


def open_starlette_cookie(
    signers: Sequence[TimestampSigner], value: str
) -> StarletteCookie | BadCookie | None:
    """``value``'s data and signed timestamp if one of ``signers`` signed it.

    :returns: ``None`` when no signer verifies it (it is not a Starlette cookie of
        ours); a :class:`~sessionware._signing.BadCookie` saying why when it verifies
        but cannot be read.
    """
    for signer in signers:
        try:
            payload, signed = signer.unsign(value, return_timestamp=True)
        except BadSignature:
            continue
        except (ValueError, OverflowError, OSError):
            # A signed timestamp that is no date: only a holder of the key makes one.
            return BadCookie("the Starlette cookie's timestamp is out of range")
        try:
            data = json.loads(base64.b64decode(payload))
        except (ValueError, binascii.Error, RecursionError):
            data = None
        if not isinstance(data, dict):
            return BadCookie("the Starlette cookie's payload is not base64 JSON of an object")
        return data, int(signed.timestamp())
    return None


def check_until(value: object) -> float | None:
    """``starlette_cookies_until`` as a Unix time, or ``None`` when it is not set.

    :raises TypeError: not a :class:`~datetime.datetime`.
    :raises ValueError: a naive datetime, which would be read in the server's zone.
    """
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise TypeError(
            f"starlette_cookies_until must be an aware datetime or None, got {value!r}; "
            "pass datetime(2027, 1, 1, tzinfo=UTC)."
        )
    if value.utcoffset() is None:
        raise ValueError(
            f"starlette_cookies_until={value!r} is a naive datetime, which would be read in "
            "the server's time zone; give it one: datetime(2027, 1, 1, tzinfo=UTC)."
        )
    return value.timestamp()
