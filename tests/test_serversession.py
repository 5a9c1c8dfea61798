"""ServerSideSession: which keys a request changed, however it changed them."""

from __future__ import annotations

import pytest

from sessionware import ServerSideSession


def test_only_real_changes_are_recorded() -> None:
    session = ServerSideSession({"a": 1, "b": 2}, new=False, sid="x" * 43, version=3)
    assert session.pop("missing", None) is None
    assert session.setdefault("a", 5) == 1
    with pytest.raises(KeyError):
        session.pop("missing")
    assert session.changed_keys == set()
    assert not session.modified
    assert session.pop("a") == 1
    assert session.setdefault("c", 3) == 3
    session.update([("d", 4)], e=5)
    assert session.changed_keys == {"a", "c", "d", "e"}


def test_invalidate_forgets_the_id_and_remembers_to_delete_it() -> None:
    session = ServerSideSession({"a": 1}, new=False, sid="x" * 43, version=3)
    session.invalidate()
    assert (session.sid, session.version, session.ended_sid) == (None, None, "x" * 43)
    assert session.invalidated
    assert session.modified
    assert dict(session) == {}
    assert session.changed_keys == set()
