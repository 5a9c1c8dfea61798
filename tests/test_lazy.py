"""LazySession: the object handlers hold, forwarding to the real session once opened."""

from __future__ import annotations

from typing import Any

import pytest

from sessionware import (
    LazySession,
    NullSession,
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionConfig,
    SessionInterface,
    SessionMixin,
)

from .conftest import SECRET


def lazy(**settings: Any) -> LazySession:
    settings.setdefault("secret_key", SECRET)
    return LazySession(SecureCookieSessionInterface(), SessionConfig(**settings), {})


def test_nothing_is_opened_until_touched() -> None:
    session = lazy()
    assert session.loaded is None
    assert not session.modified
    assert not session.accessed
    assert repr(session) == "<LazySession (not opened)>"
    assert isinstance(session, SessionMixin)


def test_mapping_operations_are_forwarded() -> None:
    session = lazy()
    session["a"] = 1
    session.update(b=2)
    assert session.setdefault("c", 3) == 3
    assert session["a"] == 1
    assert session.get("missing", "d") == "d"
    assert "a" in session
    assert len(session) == 3
    assert sorted(session) == ["a", "b", "c"]
    assert sorted(session.keys()) == ["a", "b", "c"]
    assert sorted(session.values()) == [1, 2, 3]
    assert sorted(session.items()) == [("a", 1), ("b", 2), ("c", 3)]
    assert session == {"a": 1, "b": 2, "c": 3}
    assert session.pop("c") == 3
    assert session.popitem() == ("b", 2)
    del session["a"]
    session["z"] = 0
    session.clear()
    assert dict(session) == {}
    assert isinstance(session.loaded, SecureCookieSession)
    assert repr(session) == "<LazySession <SecureCookieSession {}>>"


def test_flags_and_permanent_are_forwarded() -> None:
    session = lazy()
    session.modified = True
    assert session.loaded is not None
    assert session.modified
    session.accessed = True
    assert session.accessed
    assert session.new
    session.new = False
    assert not session.new
    assert not session.permanent
    session.permanent = True
    assert session.permanent
    assert session.loaded["_permanent"] is True


def test_regenerate_and_invalidate_are_forwarded() -> None:
    session = lazy()
    session["a"] = 1
    session.regenerate()
    assert session.reissue
    session.invalidate()
    assert dict(session) == {}


def test_other_attributes_of_the_session_are_reachable() -> None:
    session = lazy()
    assert session.may_have_mutated is False
    with pytest.raises(AttributeError):
        _ = session._private


def test_a_null_session_stands_in_without_a_key() -> None:
    session = lazy(secret_key=None)
    assert dict(session) == {}
    assert isinstance(session.loaded, NullSession)


def test_an_interface_must_implement_open_and_save() -> None:
    interface = SessionInterface()
    config = SessionConfig(secret_key=SECRET)
    with pytest.raises(NotImplementedError, match="open_session"):
        interface.open_session(config, {})
    with pytest.raises(NotImplementedError, match="save_session"):
        interface.save_session(config, SecureCookieSession(), [])
    interface.close_session(config, SecureCookieSession())


def test_a_session_class_must_implement_regenerate() -> None:
    class Minimal(SessionMixin):
        def __init__(self) -> None:
            self.data: dict[str, Any] = {}

        def __getitem__(self, key: str) -> Any:
            return self.data[key]

        def __setitem__(self, key: str, value: Any) -> None:
            self.data[key] = value

        def __delitem__(self, key: str) -> None:
            del self.data[key]

        def __iter__(self) -> Any:
            return iter(self.data)

        def __len__(self) -> int:
            return len(self.data)

    session = Minimal()
    session.permanent = True
    assert session.permanent
    with pytest.raises(NotImplementedError, match="regenerate"):
        session.regenerate()
    session.invalidate()
    assert session.modified
    assert len(session) == 0
