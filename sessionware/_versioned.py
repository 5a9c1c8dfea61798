"""Versioned saves: compare-and-set, re-applying a request's own changes on a lost race.

No back end among Beaker, Flask-Session or Django does this: there, of two requests
of one session that change different keys, the later save silently drops the change
of the other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from .serversession import ServerSideSession
from .stores.base import Store, StoreError
from .tagged import TaggedJSONSerializer

__all__ = ["DELETED", "apply_changes", "create", "own_changes", "parse", "write"]

logger = logging.getLogger("sessionware")

#: Stands for "this request deleted the key".
DELETED: Any = object()


def parse(serializer: TaggedJSONSerializer, text: str) -> dict[str, Any] | None:
    """The session data in ``text``, or ``None`` if it is not a tagged JSON object."""
    try:
        data = serializer.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def own_changes(data: dict[str, Any], base: dict[str, Any], recorded: set[str]) -> dict[str, Any]:
    """The keys this request changed, with their new values (or :data:`DELETED`).

    ``recorded`` are the keys it set or deleted; comparing ``data`` with ``base`` (the
    data as loaded) adds the values changed in place, which no setter saw.
    """
    keys = set(recorded)
    keys.update(
        key for key in data.keys() | base.keys() if data.get(key, DELETED) != base.get(key, DELETED)
    )
    return {key: data.get(key, DELETED) for key in keys}


def apply_changes(
    fresh: dict[str, Any], changes: dict[str, Any], base: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Apply ``changes`` onto ``fresh`` (the newer stored data).

    :returns: the merged data, and the keys that the other request changed too, to a
        different value: there this request's value wins (last writer wins).
    """
    merged = dict(fresh)
    conflicts = []
    for key, value in changes.items():
        theirs = fresh.get(key, DELETED)
        if theirs != base.get(key, DELETED) and theirs != value:
            conflicts.append(key)
        if value is DELETED:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged, sorted(conflicts)


def create(
    store: Store, session: ServerSideSession, text: str, ttl: int, new_sid: Callable[[], str]
) -> None:
    """Store ``text`` under a fresh ID and give ``session`` that ID."""
    for _ in range(3):
        sid = new_sid()
        version = store.set(sid, text, ttl, None)
        if version is not None:
            session.saved(sid, version, text)
            return
    raise StoreError("the store refused to create a record under three fresh session IDs")


def write(
    store: Store,
    serializer: TaggedJSONSerializer,
    session: ServerSideSession,
    sid: str,
    ttl: int,
    max_retries: int,
) -> bool:
    """Compare-and-set the session; on a lost race re-apply its changes and retry.

    :returns: ``False`` when the record is gone (a concurrent request ended the
        session or moved it to a new ID): the changes are dropped, not resurrected.
    :raises StoreError: the store failed, or the race was lost ``max_retries + 1`` times.
    """
    data, version = session.data, session.version
    text = serializer.dumps(data)
    changes: dict[str, Any] | None = None
    base: dict[str, Any] = {}
    for _ in range(max_retries + 1):
        new_version = store.set(sid, text, ttl, version)
        if new_version is not None:
            if data is not session.data:
                session.data.clear()
                session.data.update(data)
            session.saved(sid, new_version, text)
            return True
        if changes is None:
            base = parse(serializer, session.loaded_text or "{}") or {}
            changes = own_changes(session.data, base, session.changed_keys)
        record = store.get(sid)
        if record is None:
            logger.warning(
                "The session was ended or given a new ID by a concurrent request; this "
                "request's changes to keys %s are dropped.",
                sorted(changes),
            )
            return False
        data, conflicts = apply_changes(parse(serializer, record.data) or {}, changes, base)
        if conflicts:
            logger.warning(
                "Concurrent requests changed session keys %s; the later save wins.", conflicts
            )
        text, version = serializer.dumps(data), record.version
    raise StoreError(
        f"the session was saved concurrently {max_retries + 1} times in a row while this "
        "request re-applied its changes; raise max_retries if this is expected"
    )
