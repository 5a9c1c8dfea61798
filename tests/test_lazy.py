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
from sessionware.interfaces.lazy import lazy_class

from ._apps import Browser
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
    assert session.created_at is None
    assert session.data == {}
    assert not session.rotated
    assert not session.reissue
    with pytest.raises(AttributeError):
        _ = getattr(session, "_private")  # noqa: B009 - a name mypy does not know
    with pytest.raises(AttributeError):
        _ = getattr(session, "shop")  # noqa: B009


class ShopSession(SecureCookieSession):
    """A session class of an app's own, with an attribute of its own."""

    def __init__(self, initial: Any = None, *, new: bool = True) -> None:
        super().__init__(initial, new=new)
        self.shop = "north"


class ShopInterface(SecureCookieSessionInterface):
    session_class = ShopSession


def test_a_custom_session_classes_attributes_are_read_before_it_opens() -> None:
    browser = Browser(interface=ShopInterface())
    # The first thing the handler does is read the attribute: it opens the session.
    assert browser.request(lambda s: (s.shop, type(s.loaded).__name__)).text == (
        "('north', 'ShopSession')"
    )
    with pytest.raises(AttributeError):
        browser.request(lambda s: s._private)


def test_a_lazy_session_built_for_an_interface_forwards_only_when_it_must() -> None:
    config = SessionConfig(secret_key=SECRET)
    own = lazy_class(LazySession, SecureCookieSessionInterface())(
        SecureCookieSessionInterface(), config, {}
    )
    shop = lazy_class(LazySession, ShopInterface())(ShopInterface(), config, {})
    assert getattr(shop, "shop") == "north"  # noqa: B009
    assert isinstance(own, LazySession)
    assert isinstance(shop, LazySession)
    own["a"] = 1
    with pytest.raises(AttributeError):
        _ = getattr(own, "shop")  # noqa: B009


def test_a_session_of_another_class_than_the_interface_says_is_still_forwarded() -> None:
    class Interface(SecureCookieSessionInterface):
        def open_session(self, config: SessionConfig, environ: dict[str, Any]) -> Any:
            return ShopSession()  # while session_class stays SecureCookieSession

    session = LazySession(Interface(), SessionConfig(secret_key=SECRET), {})
    session["a"] = 1  # opens it
    assert getattr(session, "shop") == "north"  # noqa: B009
    assert dict(session) == {"a": 1}
    assert isinstance(session, LazySession)


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
