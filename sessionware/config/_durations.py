"""Checking the settings that are lengths of time: the lifetime and the timeouts.

Each is given as a :class:`~datetime.timedelta` or a number of seconds and kept as a
:class:`~datetime.timedelta`; a wrong one raises :class:`ValueError` or
:class:`TypeError` naming the parameter, the value and what is allowed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

__all__ = ["MAX_LIFETIME", "check_lifetime", "optional_duration", "whole_seconds"]

#: The longest ``permanent_lifetime``: expiry dates must stay within ``datetime``.
MAX_LIFETIME = timedelta(days=36500)


def check_lifetime(value: Any) -> timedelta:
    """Return ``permanent_lifetime`` as a :class:`~datetime.timedelta`, or raise."""
    lifetime: Any = value
    if isinstance(lifetime, int | float) and not isinstance(lifetime, bool):
        # inf, nan and huge numbers do not fit a timedelta: the checks below say why.
        if abs(lifetime) < 1e15:
            lifetime = timedelta(seconds=lifetime)
        else:
            lifetime = timedelta(0) if lifetime < 0 else None
    if lifetime is None or (isinstance(lifetime, timedelta) and lifetime > MAX_LIFETIME):
        # Expiry dates are datetimes, which end in the year 9999: a longer lifetime
        # would pass here and then fail every permanent save.
        raise ValueError(
            f"permanent_lifetime={value!r} is over 100 years (or not "
            "a finite number), past what expiry dates can hold; give at most "
            "timedelta(days=36500) (browsers keep a cookie at most 400 days anyway)."
        )
    if not isinstance(lifetime, timedelta):
        raise TypeError(
            "permanent_lifetime must be a datetime.timedelta or a number of seconds, "
            f"got {value!r}."
        )
    if lifetime.total_seconds() < 1:
        raise ValueError(
            f"permanent_lifetime={value!r} must be at least one "
            "second; cookies older than it are refused."
        )
    return lifetime


def optional_duration(name: str, value: Any) -> timedelta | None:
    """A timeout setting as a :class:`timedelta` (or ``None``), checked."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{name}={value!r} must be a finite number of seconds, or None.")
        value = timedelta(seconds=value)
    if not isinstance(value, timedelta):
        raise TypeError(
            f"{name} must be a datetime.timedelta, a number of seconds or None (off), "
            f"got {value!r}."
        )
    if value.total_seconds() < 1:
        raise ValueError(f"{name}={value!r} must be at least one second; pass None to turn it off.")
    return value


def whole_seconds(value: timedelta | float | None) -> int | None:
    """A duration setting in whole seconds, or ``None`` when it is off."""
    if value is None:
        return None
    return int(value.total_seconds() if isinstance(value, timedelta) else value)
