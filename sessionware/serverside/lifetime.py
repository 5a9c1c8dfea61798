"""Timeouts and the user index around the server-side interface's open and save.

:class:`~sessionware.ServerSideSessionInterface` calls :func:`opened` on every
session it loads and :func:`saving`/:func:`saved` around every save; everything
about idle and absolute timeouts and keeping the user index in step lives here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from sessionware import events
from sessionware.config.settings import SessionConfig
from sessionware.interfaces.base import WSGIEnviron
from sessionware.policies import _lifetime

from .saving import Action
from .session import ServerSideSession

if TYPE_CHECKING:
    from .interface import ServerSideSessionInterface

__all__ = ["Before", "opened", "records_creation", "saved", "saving"]


def records_creation(interface: ServerSideSessionInterface, config: SessionConfig) -> bool:
    """Whether sessions keep their creation time (``_created``) in their data."""
    return config.absolute_seconds is not None or interface.users is not None


def opened(
    interface: ServerSideSessionInterface,
    config: SessionConfig,
    session: ServerSideSession,
    environ: WSGIEnviron,
    sid: str,
    issued: int,
) -> ServerSideSession:
    """Check the timeouts of ``session``, loaded from ``sid`` whose cookie was signed at
    ``issued``; a timed-out session is ended and replaced by a new one.

    :raises StoreError: ending a timed-out session failed.
    """
    data = session.data
    users = interface.users
    if users is not None:
        session.user = users.user_of(data)
    session.created_at = _lifetime.created_at(data, issued)
    if config.idle_seconds is None and config.absolute_seconds is None:
        return session
    now = interface.clock()
    refused = _lifetime.refusal(config, now, issued, session.created_at)
    if refused is not None:
        # Unlike a cookie, a stored session can really end: nobody may use it again.
        interface.store.delete(sid)
        if users is not None:
            users.ended(session.user, sid)
        interface.log_refused(config, refused.reason, expired=True, code=refused.code)
        return interface.session_class()
    if _lifetime.reissue_due(config, now, issued, interface.idle_touch_fraction):
        session.reissue = True  # touch the record and re-sign the cookie: renews the idle clock
    return session


class Before(NamedTuple):
    """What a save started from, to tell afterwards what it changed."""

    user: str | None
    #: The ID the session had, or had until ``invalidate()`` in this request.
    sid: str | None
    #: The save starts a new record (a new session, or one after ``invalidate()``).
    new: bool
    regenerate: bool
    due: bool


def saving(
    interface: ServerSideSessionInterface,
    config: SessionConfig,
    session: ServerSideSession,
    *,
    late: bool = False,
) -> Before:
    """Record the creation time where due and return what the save starts from.

    ``late``: the save of changes made after the headers went out, which keeps the ID
    (the policy refuses a late ``regenerate()``), so no new ID is listed ahead.
    """
    now = int(interface.clock())
    regenerate = session.regenerate_requested and not late
    if session.data and records_creation(interface, config):
        created = session.created_at
        if session.sid is None or regenerate or created is None:
            created = now
        if session.data.get(_lifetime.CREATED_KEY) != created:
            session[_lifetime.CREATED_KEY] = created
        session.created_at = created
    users = interface.users
    if users is not None and regenerate and session.sid is not None:
        user = users.user_of(session.data)
        if user is not None:
            # List the ID the record moves to before the move: a revocation that runs
            # between the move and the index update would otherwise miss it.
            session.next_sid = fresh = interface.new_sid()
            users.listed_ahead(
                user,
                interface.store.moved_id(session.sid, fresh),
                created=session.created_at,
                ttl=_lifetime.record_ttl(config, session.created_at, now),
                environ=session.environ,
            )
    issued = session.issued_at
    due = issued is None or now - issued >= min(
        interface.touch_interval, config.lifetime_seconds / 2
    )
    return Before(
        session.user,
        session.sid or session.ended_sid,
        session.sid is None,
        regenerate,
        due,
    )


def saved(
    interface: ServerSideSessionInterface,
    config: SessionConfig,
    session: ServerSideSession,
    before: Before,
    action: Action,
    *,
    late: bool = False,
) -> None:
    """Emit the save's events and bring the user index in step.

    ``late``: the save of changes made after the headers went out; it sends no cookie,
    so it emits no cookie events, but keeps the index in step all the same.

    :raises StoreError: the index could not be written.
    """
    sid = session.sid
    if action == "set" and sid is not None and not late:
        if before.new:
            events.emit("created", cookie_name=config.cookie_name, interface=interface)
        elif before.regenerate and sid != before.sid:
            events.emit("regenerated", cookie_name=config.cookie_name, interface=interface)
        if session.rotated:
            events.emit("rotated", cookie_name=config.cookie_name, interface=interface)
    users = interface.users
    if users is None:
        return
    user = users.user_of(session.data) if sid is not None else None
    users.saved(
        before=(before.user, before.sid),
        after=(user, sid),
        created=session.created_at,
        due=before.due and action == "set",
        ttl=_lifetime.record_ttl(config, session.created_at, interface.clock()),
        environ=session.environ,
    )
    session.user = user
