"""Session events for operators: what happened to sessions, never whose they were.

Every event is a :class:`SessionEvent` with a stable :attr:`~SessionEvent.name` and,
for refusals, a stable :attr:`~SessionEvent.reason`, so an operator can count
refusals by reason or alert on store errors::

    from sessionware import events

    def count(event: events.SessionEvent) -> None:
        metrics.increment(f"session.{event.name}", tags={"reason": event.reason})

    events.subscribe(count)

Each event is also logged at ``DEBUG`` on the ``sessionware.events`` logger, with the
fields as attributes of the log record (``record.event``, ``record.reason``, ...) for
structured log handlers. No event carries a cookie value, a session ID, a key or
session data.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = ["EVENT_NAMES", "REFUSAL_REASONS", "EventName", "SessionEvent", "emit", "subscribe"]

EventName = Literal["created", "refused", "rotated", "regenerated", "revoked", "store_error"]

#: Every event name, as emitted.
EVENT_NAMES: tuple[EventName, ...] = (
    "created",
    "refused",
    "rotated",
    "regenerated",
    "revoked",
    "store_error",
)

#: The reasons a ``refused`` event gives: why a request's session cookie was not used.
REFUSAL_REASONS = (
    "duplicate",  # the cookie came more than once
    "malformed",  # not a signed value of ours: encoding, payload or stored data
    "bad_signature",  # signed with no configured key (tampered, or a retired key)
    "expired",  # older than permanent_lifetime
    "idle_timeout",  # unused for longer than idle_timeout
    "absolute_timeout",  # created (or regenerated) longer ago than absolute_timeout
    "revoked",  # issued before the user's "not before" time, or its session was revoked
    "unknown_session",  # a server-side ID the store does not hold (expired or ended)
)

logger = logging.getLogger("sessionware.events")

Listener = Callable[["SessionEvent"], None]


@dataclass(frozen=True, slots=True)
class SessionEvent:
    """One thing that happened to a session.

    :ivar name: ``created`` (a new session was first saved), ``refused`` (the
        request's cookie was not accepted; see :attr:`reason`), ``rotated`` (a cookie
        signed with a fallback key was re-issued under the current key),
        ``regenerated`` (``regenerate()`` took effect), ``revoked`` (sessions were
        ended by :meth:`~sessionware.ServerSideSessionInterface.revoke` or a "not
        before" time; :attr:`count` says how many, where known) or ``store_error``
        (the store failed; :attr:`reason` is the store's message, which holds no IDs).
    :ivar reason: for ``refused``, one of :data:`REFUSAL_REASONS`.
    :ivar cookie_name: the session cookie's name, to tell apps apart.
    :ivar interface: the class name of the session interface.
    :ivar count: for ``revoked``, how many sessions ended.
    """

    name: EventName
    reason: str | None = None
    cookie_name: str | None = None
    interface: str | None = None
    count: int | None = None


# Copy-on-write: emit() reads the tuple without a lock.
_listeners: tuple[Listener, ...] = ()
_lock = threading.Lock()


def subscribe(listener: Listener) -> Callable[[], None]:
    """Call ``listener(event)`` for every event from now on; return the unsubscriber.

    Listeners run in the request's thread, so keep them quick (increment a counter,
    queue a message). A listener that raises is logged and does not break the request.
    """
    global _listeners
    if not callable(listener):
        raise TypeError(f"listener must be callable, got {listener!r}.")
    with _lock:
        _listeners = (*_listeners, listener)

    def unsubscribe() -> None:
        global _listeners
        with _lock:
            remaining = list(_listeners)
            if listener in remaining:
                remaining.remove(listener)
            _listeners = tuple(remaining)

    return unsubscribe


def emit(
    name: EventName,
    *,
    reason: str | None = None,
    cookie_name: str | None = None,
    interface: object = None,
    count: int | None = None,
) -> None:
    """Send an event to the listeners and the ``sessionware.events`` logger.

    ``interface`` is the interface object (only its class name is kept). Never pass a
    cookie value, session ID or key in ``reason``.
    """
    listeners = _listeners
    logging_on = logger.isEnabledFor(logging.DEBUG)
    if not listeners and not logging_on:
        return
    event = SessionEvent(
        name,
        reason,
        cookie_name,
        None if interface is None else type(interface).__name__,
        count,
    )
    if logging_on:
        logger.debug(
            "session event %s%s",
            name,
            f" ({reason})" if reason else "",
            extra={
                "event": name,
                "reason": reason,
                "cookie_name": cookie_name,
                "interface": event.interface,
                "count": count,
            },
        )
    for listener in listeners:
        try:
            listener(event)
        except Exception:
            logging.getLogger("sessionware").exception(
                "A session event listener (%r) raised; the request goes on.", listener
            )
