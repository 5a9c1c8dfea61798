"""Validation of the settings that bound what a cookie may cost or claim.

Kept apart from :mod:`sessionware.config` so that each check reads on its own; every
function raises :class:`ValueError` or :class:`TypeError` naming the parameter, the
value and what is allowed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

__all__ = [
    "DEFAULT_CLOCK_SKEW",
    "DEFAULT_MAX_PAYLOAD_SIZE",
    "MAX_CLOCK_SKEW",
    "MIN_PAYLOAD_SIZE",
    "check_clock_skew",
    "check_max_chunks",
    "check_max_cookie_size",
    "check_max_payload_size",
]

#: How far in the future a cookie's signed timestamp may lie by default.
DEFAULT_CLOCK_SKEW = timedelta(seconds=5)
#: The most ``clock_skew`` accepted: clocks further apart need fixing, not tolerating.
MAX_CLOCK_SKEW = timedelta(hours=1)
#: Decompressed payload bytes accepted by default: 16 times what fits in a cookie.
DEFAULT_MAX_PAYLOAD_SIZE = 64 * 1024
#: The least ``max_payload_size``: below it, ordinary sessions would not load.
MIN_PAYLOAD_SIZE = 1024


def check_clock_skew(value: Any) -> timedelta:
    """Return ``clock_skew`` as a :class:`~datetime.timedelta`, or raise."""
    if isinstance(value, bool) or not isinstance(value, int | float | timedelta):
        raise TypeError(
            f"clock_skew must be a datetime.timedelta or a number of seconds, got {value!r}."
        )
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)
    if not 0 <= seconds <= MAX_CLOCK_SKEW.total_seconds():  # also refuses nan
        raise ValueError(
            f"clock_skew={value!r} must be between 0 and 3600 seconds; it is how far "
            "ahead a cookie's timestamp may be (a server whose clock runs fast). Keep "
            "server clocks in step with NTP rather than tolerating more."
        )
    return timedelta(seconds=seconds)


def check_max_payload_size(value: Any) -> int:
    """Return ``max_payload_size`` if it is a sane number of bytes, or raise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_PAYLOAD_SIZE:
        raise ValueError(
            f"max_payload_size must be an int of at least {MIN_PAYLOAD_SIZE} bytes, got "
            f"{value!r}; it caps a cookie's decompressed payload (default "
            f"{DEFAULT_MAX_PAYLOAD_SIZE})."
        )
    return value


def check_max_cookie_size(value: Any) -> int:
    """Return ``max_cookie_size`` if browsers could take a cookie that big, or raise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 64:
        raise ValueError(
            f"max_cookie_size must be an int of at least 64 bytes, got {value!r}; "
            "browsers accept 4096 bytes per cookie, hence the default 4093."
        )
    return value


def check_max_chunks(value: Any) -> int:
    """Return ``max_chunks`` if it is a count of cookies servers would accept, or raise."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10:
        raise ValueError(
            f"max_chunks must be an int from 1 (no chunking) to 10, got {value!r}; "
            "servers refuse Cookie headers much over 8 KB, so a few chunks is the most "
            "that works in practice."
        )
    return value
