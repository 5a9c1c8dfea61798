"""The session object handlers find in the environ: opened on first touch."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from sessionware.sessions import NullSession, SecureCookieSession, SessionMixin

if TYPE_CHECKING:
    from sessionware.config.settings import SessionConfig

    from .base import SessionInterface, WSGIEnviron

__all__ = ["LazySession", "forwarding", "lazy_class"]

logger = logging.getLogger("sessionware")

#: The session classes whose every attribute a lazy session reads through without
#: ``__getattr__`` (the library's own).
OWN_SESSIONS = (SecureCookieSession, NullSession)

_Lazy = TypeVar("_Lazy", bound="LazySession")


def _read_through(name: str) -> property:
    def read(self: LazySession) -> Any:
        return getattr(self.load(), name)

    return property(read, doc=f"The opened session's ``{name}`` (opens it).")


class LazySession(SessionMixin):
    """Stands in for the request's session until a handler first touches it.

    Nothing is parsed or verified until then, so a request that never uses the
    session pays nothing for it. After that it forwards every operation to the real
    session that :meth:`SessionInterface.open_session
    <sessionware.SessionInterface.open_session>` returned (or to a
    :class:`~sessionware.NullSession`), and so do the attributes of
    :class:`~sessionware.SecureCookieSession` (``data``, ``created_at``, ...).

    Other attributes of a custom session class are reachable through it too: once
    the session is opened always, and before that when the lazy session was built
    as ``lazy_class(LazySession, interface)(...)``, as the middlewares build theirs.
    """

    def __init__(
        self, interface: SessionInterface, config: SessionConfig, environ: WSGIEnviron
    ) -> None:
        self._interface = interface
        self._config = config
        self._environ = environ
        self._session: SessionMixin | None = None
        #: Set once the response headers are out: later writes cannot reach the cookie.
        self.headers_sent = False
        self._late_write_logged = False

    def _request_over(self) -> None:
        """Let go of the environ once no code of the request can use it.

        The environ holds this object, so keeping it (or the real session keeping it)
        would make every request a reference cycle, freed by the cyclic GC instead of by
        reference counting when the server lets go of the environ. A session still
        unopened keeps what opening reads, so a late touch still finds the browser's
        session; an opened one is passed to the interface's ``release_session``.
        """
        session = self._session
        if session is None:
            environ = self._environ
            kept: WSGIEnviron = {}
            cookie = environ.get("HTTP_COOKIE")
            if cookie is not None:
                kept["HTTP_COOKIE"] = cookie
            if environ.get("wsgi.multiprocess"):
                kept["wsgi.multiprocess"] = True
            self._environ = kept
        else:
            self._environ = {}
            self._interface.release_session(self._config, session)

    @property
    def loaded(self) -> SessionMixin | None:
        """The real session if a handler has touched it, else ``None``."""
        return self._session

    def load(self) -> SessionMixin:
        """Open the real session now (once) and return it."""
        session = self._session
        if session is None:
            session = self._interface.open_session(self._config, self._environ)
            if session is None:
                session = self._interface.make_null_session(self._config)
            self._session = session
            if type(session) not in OWN_SESSIONS:
                self.__class__ = forwarding(type(self))
        return session

    def _writing(self, key: object) -> SessionMixin:
        if (
            self.headers_sent
            and not self._late_write_logged
            and not self._interface.saves_after_response
        ):
            self._late_write_logged = True
            logger.warning(
                "The session was changed (key %r) after the response headers were sent; "
                "the change cannot reach the cookie and is lost. Change the session "
                "before the response body starts.",
                key,
            )
        session = self._session
        return session if session is not None else self.load()

    def __getitem__(self, key: str) -> Any:
        session = self._session
        return (session if session is not None else self.load())[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value for ``key``, or ``default``."""
        session = self._session
        return (session if session is not None else self.load()).get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.load()

    def __len__(self) -> int:
        return len(self.load())

    def __iter__(self) -> Iterator[str]:
        return iter(self.load())

    def keys(self) -> Any:
        """Return a view of the keys."""
        return self.load().keys()

    def values(self) -> Any:
        """Return a view of the values."""
        return self.load().values()

    def items(self) -> Any:
        """Return a view of the items."""
        return self.load().items()

    def __eq__(self, other: object) -> bool:
        return self.load() == other

    __hash__ = None  # type: ignore[assignment]

    def __setitem__(self, key: str, value: Any) -> None:
        session = self._session
        if session is None or self.headers_sent:
            session = self._writing(key)
        if type(session) is SecureCookieSession:
            # SecureCookieSession.__setitem__, inlined: the call through the subscript
            # slot costs about 500 instructions in CPython 3.11, on every write.
            session.accessed = session.modified = True
            session.data[key] = value
        else:
            session[key] = value

    def __delitem__(self, key: str) -> None:
        del self._writing(key)[key]

    def pop(self, key: str, *default: Any) -> Any:
        """Remove ``key`` and return its value (or the default)."""
        return self._writing(key).pop(key, *default)

    def popitem(self) -> tuple[str, Any]:
        """Remove and return an item."""
        return self._writing(None).popitem()

    def setdefault(self, key: str, default: Any = None) -> Any:
        """Return the value of ``key``, first setting it to ``default`` if missing."""
        return self._writing(key).setdefault(key, default)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """Update from a mapping or iterable of pairs and keyword arguments."""
        self._writing(None).update(other, **kwargs)

    def clear(self) -> None:
        """Remove every key."""
        self._writing(None).clear()

    def invalidate(self) -> None:
        """End the session: drop its data and remove the cookie (call it at logout)."""
        self._writing(None).invalidate()

    def regenerate(self) -> None:
        """Give the session a new identity, keeping its data (call it at login)."""
        self._writing(None).regenerate()

    @property
    def new(self) -> bool:
        """``True`` when the request brought no valid session (this counts as a read)."""
        session = self.load()
        session.accessed = True
        return session.new

    @new.setter
    def new(self, value: bool) -> None:
        self.load().new = value

    @property
    def modified(self) -> bool:
        """Whether the session was written to (``False`` while it is untouched)."""
        return self._session is not None and self._session.modified

    @modified.setter
    def modified(self, value: bool) -> None:
        self._writing(None).modified = value

    @property
    def accessed(self) -> bool:
        """Whether the session was read or written (``False`` while it is untouched)."""
        return self._session is not None and self._session.accessed

    @accessed.setter
    def accessed(self, value: bool) -> None:
        self.load().accessed = value

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session."""
        return self.load().permanent

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self._writing("_permanent").permanent = value

    def __repr__(self) -> str:
        if self._session is None:
            return "<LazySession (not opened)>"
        return f"<LazySession {self._session!r}>"

    data = _read_through("data")
    may_have_mutated = _read_through("may_have_mutated")
    reissue = _read_through("reissue")
    loaded_text = _read_through("loaded_text")
    loaded_cookie = _read_through("loaded_cookie")
    regenerated = _read_through("regenerated")
    created_at = _read_through("created_at")
    rotated = _read_through("rotated")


class _Forwards:
    """Reads any other public attribute from the opened session.

    Not on :class:`LazySession` itself: CPython 3.11 specializes no attribute access
    on a class with ``__getattr__``, which made every one of the lazy session's own
    (about 15 a request) cost some 370 instructions more.
    """

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.load(), name)


@cache
def forwarding(cls: type[_Lazy]) -> type[_Lazy]:
    """``cls``'s twin that also reads a custom session class's own attributes.

    The same layout as ``cls``, so an instance can be switched to it: a lazy session
    does that itself when it opens a session of another class than the library's.
    """
    if issubclass(cls, _Forwards):
        return cls
    twin = type(cls.__name__, (cls, _Forwards), {"__slots__": (), "__doc__": cls.__doc__})
    twin.__module__ = cls.__module__
    twin.__qualname__ = cls.__qualname__
    return twin


def lazy_class(cls: type[_Lazy], interface: SessionInterface) -> type[_Lazy]:
    """The class of lazy session to build for ``interface``.

    ``cls`` when the interface's session classes are the library's own, else its
    :func:`forwarding` twin, so that a custom class's attributes are reachable before
    the session opens. (Once it opens, a lazy session of either class reads them.)
    """
    own = interface.session_class is SecureCookieSession
    if own and interface.null_session_class is NullSession:
        return cls
    return forwarding(cls)
