"""Idle and absolute timeouts: the checks both interfaces make when a session opens.

Plain functions over times and settings: the signed-cookie and server-side interfaces
pass in what they authenticated (the cookie's signed timestamp, the session's creation
time) and act on the answer.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sessionware.config.settings import SessionConfig

__all__ = [
    "CREATED_KEY",
    "Refusal",
    "created_at",
    "record_ttl",
    "refusal",
    "reissue_due",
]

#: The session key holding the creation time (Unix seconds) while absolute_timeout is on.
CREATED_KEY = "_created"


class Refusal(NamedTuple):
    """Why a session that verified is still not accepted."""

    #: A stable reason of :data:`sessionware.events.REFUSAL_REASONS`.
    code: str
    #: The same for the log, with the numbers.
    reason: str


def created_at(data: dict[str, Any], fallback: int) -> int:
    """The session's creation time from its (authenticated) data, else ``fallback``.

    A session written before ``absolute_timeout`` was turned on has no creation time;
    the oldest authenticated time the caller knows (the cookie's signed timestamp)
    stands in for it.
    """
    value = data.get(CREATED_KEY)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    return fallback


def refusal(config: SessionConfig, now: float, last_seen: int, created: int) -> Refusal | None:
    """Whether a session last seen at ``last_seen`` and created at ``created`` timed out."""
    idle = config.idle_seconds
    if idle is not None and int(now) - last_seen > idle:
        return Refusal(
            "idle_timeout",
            f"the session was idle for {int(now) - last_seen} seconds, over idle_timeout ({idle})",
        )
    absolute = config.absolute_seconds
    if absolute is not None and int(now) - created > absolute:
        return Refusal(
            "absolute_timeout",
            f"the session was created {int(now) - created} seconds ago, over "
            f"absolute_timeout ({absolute})",
        )
    return None


def reissue_due(config: SessionConfig, now: float, last_seen: int, fraction: float) -> bool:
    """Whether a read-only request must renew the idle clock (re-issue or touch).

    Renewing on every request would write on every request; renewing only once the
    last renewal is ``fraction`` of ``idle_timeout`` old bounds the writes, at the cost
    of the timeout firing up to that fraction early after the last real activity.
    """
    idle = config.idle_seconds
    return idle is not None and now - last_seen >= idle * fraction


def record_ttl(config: SessionConfig, created: int | None, now: float) -> int:
    """How long a store keeps a session's record after a write or touch.

    The lifetime, or less when a timeout comes sooner, so that a store forgets a
    session that timed out by itself (and lists it no longer).
    """
    # One second more than each timeout: a session is still valid when exactly the
    # timeout has passed, so its record must still be there then.
    seconds = config.lifetime_seconds
    if config.idle_seconds is not None:
        seconds = min(seconds, config.idle_seconds + 1)
    if config.absolute_seconds is not None and created is not None:
        seconds = min(seconds, max(1, created + config.absolute_seconds + 1 - int(now)))
    return seconds
