"""Merging a request's own changes onto a newer stored copy of its session.

Pure functions over session data; the store is not involved. No back end among
Beaker, Flask-Session or Django does this: there, of two requests of one session
that change different keys, the later save silently drops the change of the other.
"""

from __future__ import annotations

from typing import Any

from sessionware.cookies.tagged import TaggedJSONSerializer

__all__ = ["DELETED", "apply_changes", "own_changes", "parse"]

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
