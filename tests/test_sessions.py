"""Session objects: what counts as a read, a write, and a null session's refusals."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pytest

from sessionware import NullSession, SecureCookieSession, SessionUnavailable

Op = Callable[[SecureCookieSession], Any]

READS: list[Any] = [
    pytest.param(lambda s: s["a"], id="getitem"),
    pytest.param(lambda s: s.get("a"), id="get"),
    pytest.param(lambda s: s.get("missing", 0), id="get-missing"),
    pytest.param(lambda s: "a" in s, id="contains"),
    pytest.param(lambda s: len(s), id="len"),
    pytest.param(lambda s: bool(s), id="bool"),
    pytest.param(lambda s: list(s), id="iter"),
    pytest.param(lambda s: s.keys(), id="keys"),
    pytest.param(lambda s: s.items(), id="items"),
    pytest.param(lambda s: s.values(), id="values"),
    pytest.param(lambda s: s == {"a": 1}, id="eq"),
    pytest.param(lambda s: s.permanent, id="permanent"),
    pytest.param(lambda s: s.pop("missing", None), id="pop-missing"),
    pytest.param(lambda s: s.setdefault("a", 5), id="setdefault-present"),
    pytest.param(lambda s: s.update({}), id="update-nothing"),
]

WRITES: list[Any] = [
    pytest.param(lambda s: s.__setitem__("b", 2), id="setitem"),
    pytest.param(lambda s: s.__delitem__("a"), id="delitem"),
    pytest.param(lambda s: s.pop("a"), id="pop"),
    pytest.param(lambda s: s.popitem(), id="popitem"),
    pytest.param(lambda s: s.setdefault("b", 2), id="setdefault-missing"),
    pytest.param(lambda s: s.update(b=2), id="update"),
    pytest.param(lambda s: s.update([("b", 2)]), id="update-pairs"),
    pytest.param(lambda s: s.clear(), id="clear"),
    pytest.param(lambda s: setattr(s, "permanent", True), id="permanent"),
    pytest.param(lambda s: s.invalidate(), id="invalidate"),
]


def loaded() -> SecureCookieSession:
    return SecureCookieSession({"a": 1}, new=False)


def test_a_fresh_session_is_untouched() -> None:
    session = loaded()
    assert (session.accessed, session.modified, session.new) == (False, False, False)
    assert SecureCookieSession().new is True


@pytest.mark.parametrize("read", READS)
def test_every_read_marks_accessed_only(read: Op) -> None:
    session = loaded()
    read(session)
    assert session.accessed
    assert not session.modified


@pytest.mark.parametrize("write", WRITES)
def test_every_write_marks_modified_and_accessed(write: Op) -> None:
    session = loaded()
    write(session)
    assert session.modified
    assert session.accessed


def test_mapping_behaviour() -> None:
    session = loaded()
    session["b"] = [1]
    assert dict(session) == {"a": 1, "b": [1]}
    assert session.pop("a") == 1
    assert session.pop("a", "gone") == "gone"
    with pytest.raises(KeyError):
        session.pop("a")
    assert session.setdefault("c", 3) == 3
    assert sorted(session.items()) == [("b", [1]), ("c", 3)]
    assert session == SecureCookieSession({"b": [1], "c": 3})
    assert session != {"b": [1]}
    assert repr(session) == "<SecureCookieSession {'b': [1], 'c': 3}>"
    session.clear()
    assert len(session) == 0


def test_clearing_an_empty_session_is_not_a_change() -> None:
    session = SecureCookieSession()
    session.clear()
    assert not session.modified


@pytest.mark.parametrize(
    ("read", "watched"),
    [
        pytest.param(lambda s: s["cart"], True, id="list"),
        pytest.param(lambda s: s.get("prefs"), True, id="dict"),
        pytest.param(lambda s: s.setdefault("cart", []), True, id="setdefault"),
        pytest.param(lambda s: list(s.values()), True, id="values"),
        pytest.param(lambda s: list(s.items()), True, id="items"),
        pytest.param(lambda s: s["name"], False, id="scalar"),
        pytest.param(lambda s: s.get("missing", []), False, id="default-not-stored"),
        pytest.param(lambda s: list(s.keys()), False, id="keys"),
    ],
)
def test_mutable_reads_arm_the_in_place_change_check(read: Op, watched: bool) -> None:
    session = SecureCookieSession({"cart": [1], "prefs": {}, "name": "x"}, new=False)
    read(session)
    assert session.may_have_mutated is watched


def test_values_of_a_scalar_session_are_not_watched() -> None:
    session = SecureCookieSession({"a": 1, "b": "x"}, new=False)
    list(session.values())
    assert not session.may_have_mutated


def test_regenerate_reissues_without_changing_data() -> None:
    session = loaded()
    session.regenerate()
    assert session.reissue
    assert dict(session) == {"a": 1}


def test_invalidate_empties_the_session() -> None:
    session = loaded()
    session.invalidate()
    assert session.modified
    assert len(session) == 0


@pytest.mark.parametrize("read", [p for p in READS if p.id != "setdefault-present"])
def test_null_session_reads_as_empty(read: Op) -> None:
    session = NullSession()
    if "a" in session:  # pragma: no cover - a null session is always empty
        pytest.fail("null session not empty")
    with contextlib.suppress(KeyError):
        read(session)
    assert dict(session) == {}
    assert session.get("a", "default") == "default"
    assert session.new


@pytest.mark.parametrize(
    "write",
    [
        *(p for p in WRITES if p.id not in ("invalidate", "clear")),
        pytest.param(lambda s: s.pop("a"), id="pop-without-default"),
    ],
)
def test_null_session_refuses_writes_saying_how_to_fix_it(write: Op) -> None:
    with pytest.raises(SessionUnavailable, match="secret_key=") as caught:
        write(NullSession())
    assert "SESSIONWARE_SECRET_KEY" in str(caught.value)
    assert isinstance(caught.value, RuntimeError)


def test_null_session_logout_calls_are_harmless() -> None:
    session = NullSession()
    session.clear()
    assert session.pop("user", None) is None
    session.invalidate()
    session.regenerate()
    assert not session.modified
