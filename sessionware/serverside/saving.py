"""The save policy: what a request's recorded changes become in the store.

:class:`SavePolicy` is the only part of server-side sessions that writes to the
store. It decides, from what the session recorded, whether a save creates a record,
compare-and-sets it (merging the request's own changes onto a newer copy when it
lost a race), moves it to a new ID, deletes it or only extends its expiry (throttled
by ``touch_interval``), and applies ``on_store_error`` when the store fails. A
little over ~300 lines, because every one of those outcomes is decided in one place.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Literal

from sessionware import events
from sessionware.config.settings import SessionConfig
from sessionware.cookies.tagged import TaggedJSONSerializer
from sessionware.policies._lifetime import record_ttl
from sessionware.stores._records import OnStoreError as OnStoreError
from sessionware.stores.base import CorruptRecord, Store, StoreError, StoreRecord, UnconfirmedWrite

from .merge import apply_changes, own_changes, parse
from .session import ServerSideSession

__all__ = ["Action", "OnStoreError", "SavePolicy"]

logger = logging.getLogger("sessionware")

#: The longest wait between two tries of a save that keeps losing races (seconds).
MAX_BACKOFF = 0.05

#: What the response's cookie must do after a save: be set, be deleted, or nothing.
Action = Literal["set", "delete"] | None


def _seconds(value: object, low: float, high: float) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and low <= value <= high


class SavePolicy:
    """Turns what a :class:`~.session.ServerSideSession` recorded into store writes.

    Built by :class:`~sessionware.ServerSideSessionInterface` from its arguments (see
    there), which it validates; one instance serves every thread, nothing per request
    is kept on it.

    :param new_sid: returns a fresh random session ID.
    :param clock: returns the current Unix time.
    """

    def __init__(
        self,
        store: Store,
        serializer: TaggedJSONSerializer,
        *,
        on_store_error: OnStoreError,
        touch_interval: timedelta | float,
        max_retries: int,
        retry_backoff: float,
        new_sid: Callable[[], str],
        clock: Callable[[], float],
    ) -> None:
        if on_store_error not in ("raise", "null"):
            raise ValueError(f"on_store_error must be 'raise' or 'null', got {on_store_error!r}.")
        if isinstance(touch_interval, timedelta):
            touch_interval = touch_interval.total_seconds()
        if not _seconds(touch_interval, 0, float("inf")):
            raise ValueError(
                "touch_interval must be a timedelta or a number of seconds >= 0, got "
                f"{touch_interval!r}."
            )
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ValueError(f"max_retries must be an int >= 0, got {max_retries!r}.")
        if not _seconds(retry_backoff, 0, 1):
            raise ValueError(
                "retry_backoff must be a number of seconds from 0 (retry at once) to 1, "
                f"got {retry_backoff!r}."
            )
        self.store = store
        self.serializer = serializer
        self.on_store_error: OnStoreError = on_store_error
        self.touch_interval = float(touch_interval)
        self.max_retries = max_retries
        self.retry_backoff = float(retry_backoff)
        self.new_sid = new_sid
        self.clock = clock

    def failed(self, exc: StoreError, consequence: str) -> None:
        """Apply ``on_store_error`` to a store failure: re-raise it, or log it.

        :param consequence: what the failure costs the request, for the log line.
        """
        events.emit("store_error", reason=exc.reason)
        if self.on_store_error == "raise":
            raise exc
        logger.error("%s %s", exc.reason, consequence)

    def end(self, sid: str) -> None:
        """Delete the record of a session that was logged out (``invalidate()``).

        Under ``on_store_error="null"`` a failure is logged and the save goes on, so
        the response still removes the cookie; under ``"raise"`` it fails the request.
        """
        try:
            self.store.delete(sid)
        except UnconfirmedWrite as exc:
            self.failed(
                exc,
                "Logout could not delete the session's stored record for certain (the "
                "store did not answer; the delete may still be applied when it recovers): "
                "the cookie is removed from the browser, but until then a copy of it taken "
                "before the logout works, at most until the record expires.",
            )
        except StoreError as exc:
            self.failed(
                exc,
                "Logout could not delete the session's stored record: the cookie is "
                "removed from the browser, but a copy of it taken before the logout works "
                "until the record expires.",
            )

    def load(self, sid: str) -> tuple[dict[str, Any], StoreRecord] | str:
        """The data and record of ``sid``, or why there is none (for the log).

        :raises StoreError: the store failed.
        """
        try:
            record = self.store.get(sid)
        except CorruptRecord as exc:
            return f"its stored record is corrupt ({exc.reason})"
        if record is None:
            return "its session is not in the store (expired or ended)"
        data = parse(self.serializer, record.data)
        if data is None:
            return "its stored data is not a tagged JSON object"
        return data, record

    # Every method below may raise StoreError.

    def save(self, config: SessionConfig, session: ServerSideSession, *, late: bool) -> Action:
        """Write the session's recorded changes; ``late`` once the headers are out.

        :returns: what the cookie must do; a late save's answer cannot be sent.
        """
        ttl = record_ttl(config, session.created_at, self.clock())
        changed = self.changed(session)
        ended = session.ended_sid
        if ended is not None:
            self.end(ended)
            session.ended_sid = None
        if session.sid is None:
            if not session.data or not changed:
                return "delete" if ended is not None else None
            if late:
                logger.warning(
                    "A new session was written after the response headers were sent; its "
                    "cookie cannot be sent, so it is not stored. Write it before the body."
                )
                return None
            self.create(session, self.serializer.dumps(session.data), ttl)
            return "set"
        regenerate = session.regenerate_requested
        if regenerate and late:
            logger.warning(
                "regenerate() was called after the response headers were sent; the new "
                "ID cannot reach the cookie, so the session keeps its ID."
            )
            regenerate = False
        if regenerate:
            # One atomic store step moves the data to a new ID (see Store.move).
            return "set" if self.write(session, session.sid, ttl, move=True) else None
        if changed and not self.write(session, session.sid, ttl):
            return None
        if changed:
            return "set"
        if late:
            return None
        if session.reissue or (config.refresh_each_request and self.touch_due(config, session)):
            return "set" if self.store.touch(session.sid, ttl) else None
        return None

    def changed(self, session: ServerSideSession) -> bool:
        """Whether the session's data differs from what was loaded."""
        if session.modified or session.changed_keys:
            return True
        if session.may_have_mutated:
            return self.serializer.dumps(session.data) != (session.loaded_text or "{}")
        return False

    def touch_due(self, config: SessionConfig, session: ServerSideSession) -> bool:
        """Whether an unchanged session's expiry is due for extension."""
        interval = min(self.touch_interval, config.lifetime_seconds / 2)
        issued = session.issued_at
        return issued is None or self.clock() - issued >= interval

    def back_off(self, races: int) -> None:
        """Wait before the next try after losing ``races`` races in a row.

        Exponential with full jitter (a random wait up to ``retry_backoff * 2**(n-1)``,
        at most :data:`MAX_BACKOFF`), so that many writers of one session spread out
        instead of colliding again at once. The first lost race retries at once.
        """
        if self.retry_backoff > 0:
            ceiling = min(MAX_BACKOFF, self.retry_backoff * 2 ** (races - 1))
            time.sleep(random.uniform(0, ceiling))  # noqa: S311 - jitter, not a secret

    def settle(
        self, exc: UnconfirmedWrite, sid: str, version: int | None, text: str, new_sid: str | None
    ) -> int | None:
        """After a write that was not answered, learn from the store whether it landed.

        :returns: the version it wrote (the save goes on as if it had been answered),
            or ``None`` when the store says it did not land and never will.
        :raises UnconfirmedWrite: ``exc``, when the store cannot tell (it still does
            not answer): the write may have landed, or may land later.
        :raises StoreError: it did not land (and never will), under the same reason.
        """
        try:
            landed = self.store.settle(sid, version, text, new_sid)
        except StoreError:
            raise exc from None
        if landed is None:
            raise StoreError(
                f"{exc.reason}; a check afterwards found that the write was not applied, and "
                "made sure that it never will be"
            ) from None
        events.emit("store_error", reason=exc.reason)
        logger.warning(
            "The session store did not answer a write (%s); a check afterwards found that "
            "it was applied, so the save goes on.",
            exc.reason,
        )
        return landed

    def create(self, session: ServerSideSession, text: str, ttl: int) -> None:
        """Store ``text`` under a fresh ID and give ``session`` that ID."""
        for _ in range(3):
            sid = self.new_sid()
            try:
                version = self.store.set(sid, text, ttl, None)
            except UnconfirmedWrite as exc:
                version = self.settle(exc, sid, None, text, None)
            if version is not None:
                session.saved(sid, version, text)
                return
        raise StoreError("the store refused to create a record under three fresh session IDs")

    def fresh_sid(self, session: ServerSideSession) -> str:
        """A fresh random ID: the one drawn ahead for the session (once), else a new one."""
        drawn, session.next_sid = session.next_sid, None
        return drawn or self.new_sid()

    def write(self, session: ServerSideSession, sid: str, ttl: int, *, move: bool = False) -> bool:
        """Compare-and-set the session; on a lost race re-apply its changes and retry.

        With ``move`` the data goes to a fresh ID in the same atomic step that deletes
        ``sid`` (:meth:`Store.move <sessionware.stores.Store.move>`): regenerate().

        :returns: ``False`` when the record is gone (a concurrent request ended the
            session or moved it to a new ID): the changes are dropped, not resurrected.
        :raises StoreError: the store failed, or the race was lost ``max_retries + 1`` times.
        """
        store, serializer = self.store, self.serializer
        data, version = session.data, session.version
        text = serializer.dumps(data)
        changes: dict[str, Any] | None = None
        base: dict[str, Any] = {}
        races = collisions = 0
        while True:
            new_sid = store.moved_id(sid, self.fresh_sid(session)) if move else sid
            if version is None:  # pragma: no cover - a stored session always has one
                raise StoreError("the session has no stored version to write at")
            try:
                if move:
                    new_version = store.move(sid, new_sid, text, ttl, version)
                else:
                    new_version = store.set(sid, text, ttl, version)
            except UnconfirmedWrite as exc:
                new_version = self.settle(exc, sid, version, text, new_sid if move else None)
            if new_version is not None:
                if data is not session.data:
                    session.data.clear()
                    session.data.update(data)
                session.saved(new_sid, new_version, text)
                return True
            if changes is None:
                base = parse(serializer, session.loaded_text or "{}") or {}
                changes = own_changes(session.data, base, session.changed_keys)
            if races:
                self.back_off(races)
            record = store.get(sid)
            if record is None:
                logger.warning(
                    "The session was ended or given a new ID by a concurrent request; this "
                    "request's changes to keys %s are dropped.",
                    sorted(changes),
                )
                return False
            if move and record.version == version:
                collisions += 1  # the fresh ID was taken: draw another
                if collisions < 3:
                    continue
                raise StoreError("the store refused to move a record to three fresh session IDs")
            races += 1
            if races > self.max_retries:
                raise StoreError(
                    f"the session was saved concurrently {self.max_retries + 1} times in a row "
                    "while this request re-applied its changes; raise max_retries if this is "
                    "expected"
                )
            data, conflicts = apply_changes(parse(serializer, record.data) or {}, changes, base)
            if conflicts:
                logger.warning(
                    "Concurrent requests changed session keys %s; the later save wins.", conflicts
                )
            text, version = serializer.dumps(data), record.version
