"""The session ASGI apps find at ``scope["session"]``: a lazy session that is a dict.

Starlette's ``request.session`` is typed as a dict, and Starlette apps hand it straight
to ``json.dumps`` (``JSONResponse({"session": request.session})``). The stdlib's C
encoder takes any dict subclass, but reads its size from the dict's own storage before
it asks for ``items()``: a lazy session with nothing in that storage would encode as
``{}`` without ever being opened. So the session below is a :class:`dict` subclass
whose storage mirrors the real session's data once it is opened, and holds one
placeholder entry before, which makes the encoder call ``items()`` (and so open it).
Every dict method goes through the real session, so reads and writes are tracked as
they are under WSGI.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sessionware.interfaces.lazy import LazySession
from sessionware.sessions import SecureCookieSession, SessionMixin

if TYPE_CHECKING:
    from sessionware.config.settings import SessionConfig
    from sessionware.interfaces.base import SessionInterface, WSGIEnviron

__all__ = ["ASGISession"]

#: The one entry of an unopened session's dict storage. Only code that reads a dict's
#: storage without calling its methods (C serializers such as orjson) can see it.
PLACEHOLDER_KEY = "sessionware: the session is opened on first use; pass dict(session)"


class ASGISession(LazySession, dict[str, Any]):
    """A :class:`~sessionware.LazySession` that is also a :class:`dict`.

    It opens the real session the first time a handler reads or writes it, through
    any dict method, ``json.dumps`` included. ``isinstance(session, dict)`` holds, so
    serializers and type checks written for Starlette's session accept it.

    :param environ: the environ-like mapping the interface reads the cookie from
        (``HTTP_COOKIE``), built from the ASGI scope's headers.
    """

    # LazySession's attributes in slots: a dict subclass's instance dict is not
    # specialized by CPython, so each attribute read or write through it costs several
    # times a slot's, on every connection (about 7,000 instructions per request).
    __slots__ = (
        "_config",
        "_environ",
        "_interface",
        "_late_write_logged",
        "_session",
        "headers_sent",
    )

    def __init__(
        self, interface: SessionInterface, config: SessionConfig, environ: WSGIEnviron
    ) -> None:
        LazySession.__init__(self, interface, config, environ)
        dict.__setitem__(self, PLACEHOLDER_KEY, None)

    def load(self) -> SessionMixin:
        """Open the real session now (once) and return it."""
        session = self._session
        if session is None:
            session = LazySession.load(self)
            self._mirror(session)
        return session

    def _mirror(self, session: SessionMixin) -> None:
        # Reading .data is not tracked: opening the session is not a read by the app.
        data = session.data if isinstance(session, SecureCookieSession) else dict(session)
        dict.clear(self)
        dict.update(self, data)

    def _synced(self) -> None:
        session = self._session
        if session is not None:  # pragma: no branch - every write opened it
            self._mirror(session)

    # Writes go to the real session, then the mirror is brought up to date.

    def __setitem__(self, key: str, value: Any) -> None:
        session = self._session
        if session is None or self.headers_sent:
            LazySession.__setitem__(self, key, value)
        elif type(session) is SecureCookieSession:
            # Open, headers not out: LazySession's check passes, and so does its inlined
            # write (SecureCookieSession.__setitem__).
            session.accessed = session.modified = True
            session.data[key] = value
        else:
            session[key] = value
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: str) -> None:
        LazySession.__delitem__(self, key)
        dict.pop(self, key, None)

    def pop(self, key: str, *default: Any) -> Any:
        """Remove ``key`` and return its value (or the default)."""
        value = LazySession.pop(self, key, *default)
        dict.pop(self, key, None)
        return value

    def popitem(self) -> tuple[str, Any]:
        """Remove and return an item."""
        item = LazySession.popitem(self)
        dict.pop(self, item[0], None)
        return item

    def setdefault(self, key: str, default: Any = None) -> Any:
        """Return the value of ``key``, first setting it to ``default`` if missing."""
        value = LazySession.setdefault(self, key, default)
        self._synced()
        return value

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """Update from a mapping or iterable of pairs and keyword arguments."""
        LazySession.update(self, other, **kwargs)
        self._synced()

    def __ior__(self, other: Any) -> ASGISession:  # type: ignore[override]
        LazySession.update(self, other)
        self._synced()
        return self

    def __or__(self, other: Any) -> dict[str, Any]:  # type: ignore[override]
        return {**self.copy(), **other}

    def __ror__(self, other: Any) -> dict[str, Any]:  # type: ignore[override]
        return {**other, **self.copy()}

    def clear(self) -> None:
        """Remove every key."""
        LazySession.clear(self)
        self._synced()

    def invalidate(self) -> None:
        """End the session: drop its data and remove the cookie (call it at logout)."""
        LazySession.invalidate(self)
        self._synced()

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session."""
        return self.load().permanent

    @permanent.setter
    def permanent(self, value: bool) -> None:
        LazySession.permanent.fset(self, value)  # type: ignore[attr-defined]
        self._synced()

    def mark_accessed(self) -> None:
        """Open the session and count it as read: Starlette's ``request.session`` calls it.

        Serializers may read the dict's storage without calling a method (FastAPI's
        response model does), so the session is opened, its storage filled, as soon as
        ``request.session`` is asked for; and, as Starlette's own session does, the
        response then varies on the cookie.
        """
        self.load().accessed = True

    # Reads that dict would answer from its storage.

    def copy(self) -> dict[str, Any]:
        """Return the data as a plain dict (a read)."""
        return dict(self.items())

    def __reversed__(self) -> Iterator[str]:
        keys: list[str] = list(self.keys())
        return reversed(keys)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __eq__(self, other: object) -> bool:
        return LazySession.__eq__(self, other)

    __hash__ = None  # type: ignore[misc]

    def __repr__(self) -> str:
        return LazySession.__repr__(self)
