"""Session objects: the mappings handlers read and write.

They only track what happens to them; loading and saving is the job of a
:class:`~sessionware.SessionInterface`.

A little over ~300 lines: every mapping method of the session types is here, each one
line of tracking (read, written, a mutable value handed out), and splitting the types
apart would scatter one contract.
"""

from __future__ import annotations

import copy
from collections.abc import ItemsView, Iterator, KeysView, Mapping, MutableMapping, ValuesView
from typing import Any, NoReturn

from .errors import SessionUnavailable

__all__ = ["NullSession", "SecureCookieSession", "SessionMixin"]

_MISSING: Any = object()
#: Values that may be changed in place once handed out (a tuple: isinstance() checks
#: one faster than the ``list | dict`` union).
_CONTAINERS = (list, dict)


class SessionMixin(MutableMapping[str, Any]):
    """The attributes every session has, on top of being a mutable mapping.

    Subclass it (with :class:`collections.abc.MutableMapping` behaviour) to write a
    session class of your own; point ``SessionInterface.session_class`` at it.

    :ivar new: ``True`` when no valid session came with the request.
    :ivar modified: ``True`` once the session was written to; the interface then saves it.
        Set it by hand after changing a value in place that tracking cannot see.
    :ivar accessed: ``True`` once the session was read or written; the response then
        gets ``Vary: Cookie`` so that shared caches don't serve it to other users.
    """

    new: bool = False
    modified: bool = True
    accessed: bool = True

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session (``_permanent`` in the data)."""
        return bool(self.get("_permanent", False))

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    def invalidate(self) -> None:
        """End the session: drop its data and remove the cookie (call it at logout)."""
        self.clear()
        self.modified = True

    # Copies are plain dicts of the data, as copying Starlette's request.session (a
    # dict) gives: detached from the request, its cookie and its back end (a session
    # may hold the interface, whose HMAC keys cannot be copied, or the environ).

    def __copy__(self) -> dict[str, Any]:
        """A plain dict of the data (a read): ``copy.copy(session)``."""
        return dict(self.items())

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        """A plain dict of a deep copy of the data (a read): ``copy.deepcopy(session)``.

        Changing it, nested values included, changes nothing in the session.
        """
        result: dict[str, Any] = {}
        memo[id(self)] = result
        for key, value in self.items():
            result[key] = copy.deepcopy(value, memo)
        return result

    def regenerate(self) -> None:
        """Give the session a new identity, keeping its data (call it at login)."""
        raise NotImplementedError(f"{type(self).__name__} must implement regenerate()")


class SecureCookieSession(SessionMixin):
    """A dict-backed session that records every read and write.

    Reads (``[]``, ``get``, ``in``, ``len``, iteration, ``keys``/``items``/``values``)
    set :attr:`accessed`; writes set :attr:`modified` too. Reading a list or dict value
    arms a check, made when the response is saved, for changes made to it in place
    (``session["cart"].append(3)``), so those are saved without setting
    :attr:`modified` by hand. Requests that read no mutable value skip that check.

    :param initial: the session data.
    :param new: ``False`` when the data came from a valid cookie or store.
    """

    def __init__(self, initial: Mapping[str, Any] | None = None, *, new: bool = True) -> None:
        #: The underlying dict, for interfaces: reading it is not tracked (an attribute,
        #: not a property: a property read costs about 1,500 instructions in CPython
        #: 3.11, and every save reads it). Change the session, not this; never rebind it.
        self.data: dict[str, Any] = dict(initial) if initial else {}
        self.new = new
        self.modified = False
        self.accessed = False
        #: A list or dict value was handed out; it may have been changed in place.
        self.may_have_mutated = False
        #: The cookie must be sent again even if unmodified (e.g. signed with an old key).
        self.reissue = False
        #: The serialized data as loaded, for comparing after in-place changes.
        self.loaded_text: str | None = None
        #: The signed cookie value the data came from, re-signed as is when unchanged.
        self.loaded_cookie: str | None = None
        #: :meth:`regenerate` was called: the absolute timeout's clock restarts.
        self.regenerated = False
        #: When the session was created or last regenerated (Unix time), if known.
        self.created_at: int | None = None
        #: The cookie was signed with a fallback key and is re-issued under the current one.
        self.rotated = False

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session (``_permanent`` in the data)."""
        # SessionMixin.permanent through self.get, minus a method call: interfaces read it
        # on every save.
        self.accessed = True
        value = self.data.get("_permanent", False)
        if isinstance(value, _CONTAINERS):
            self.may_have_mutated = True
        return bool(value)

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self["_permanent"] = bool(value)

    def _watch(self, value: Any) -> Any:
        if isinstance(value, _CONTAINERS):
            self.may_have_mutated = True
        return value

    # The reads below inline _watch: one call fewer on the reads every request makes.

    def __getitem__(self, key: str) -> Any:
        self.accessed = True
        value = self.data[key]
        if isinstance(value, _CONTAINERS):
            self.may_have_mutated = True
        return value

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value for ``key``, or ``default``."""
        self.accessed = True
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            return default
        if isinstance(value, _CONTAINERS):
            self.may_have_mutated = True
        return value

    def __contains__(self, key: object) -> bool:
        self.accessed = True
        return key in self.data

    def __len__(self) -> int:
        self.accessed = True
        return len(self.data)

    def __iter__(self) -> Iterator[str]:
        self.accessed = True
        return iter(self.data)

    def keys(self) -> KeysView[str]:
        """Return a view of the keys."""
        self.accessed = True
        return self.data.keys()

    def values(self) -> ValuesView[Any]:
        """Return a view of the values."""
        self.accessed = True
        self._watch_all()
        return self.data.values()

    def items(self) -> ItemsView[str, Any]:
        """Return a view of the items."""
        self.accessed = True
        self._watch_all()
        return self.data.items()

    def _watch_all(self) -> None:
        if not self.may_have_mutated:
            for value in self.data.values():
                if isinstance(value, _CONTAINERS):
                    self.may_have_mutated = True
                    return

    def __eq__(self, other: object) -> bool:
        self.accessed = True
        if isinstance(other, SecureCookieSession):
            other.accessed = True
            return self.data == other.data
        return self.data == other

    __hash__ = None  # type: ignore[assignment]

    def __setitem__(self, key: str, value: Any) -> None:
        self.accessed = self.modified = True
        self.data[key] = value

    def __delitem__(self, key: str) -> None:
        self.accessed = self.modified = True
        del self.data[key]

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        """Remove ``key`` and return its value (or ``default``); modifies only if present."""
        self.accessed = True
        if key in self.data:
            self.modified = True
            return self.data.pop(key)
        if default is _MISSING:
            raise KeyError(key)
        return default

    def popitem(self) -> tuple[str, Any]:
        """Remove and return the most recently added item."""
        self.accessed = self.modified = True
        return self.data.popitem()

    def setdefault(self, key: str, default: Any = None) -> Any:
        """Return the value of ``key``, first setting it to ``default`` if missing."""
        self.accessed = True
        if key not in self.data:
            self.modified = True
            self.data[key] = default
        return self._watch(self.data[key])

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """Update from a mapping or iterable of pairs and keyword arguments."""
        self.accessed = True
        self.data.update(other, **kwargs)
        if other or kwargs:
            self.modified = True

    def clear(self) -> None:
        """Remove every key; a session that was already empty stays unmodified."""
        self.accessed = True
        if self.data:
            self.modified = True
            self.data.clear()

    def regenerate(self) -> None:
        """Re-issue the cookie with a fresh signature and timestamp, keeping the data.

        The ``absolute_timeout`` clock starts again (call it at login).

        A signed cookie has no server-side identity to replace, so the previous cookie
        stays valid until it expires; use a server-side store where logging in must
        revoke what came before.
        """
        self.accessed = True
        self.reissue = True
        self.regenerated = True

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.data!r}>"


def is_permanent(session: SessionMixin) -> bool:
    """``session.permanent``, as an interface reads it to save the session.

    For this module's own session class, read from its data: CPython 3.11 never
    specializes a property read (about 1,500 instructions), and every save reads this
    flag once. Nor is it counted as the app's read: by then ``Vary`` is decided.
    """
    if type(session) is SecureCookieSession:
        return bool(session.data.get("_permanent", False))
    return session.permanent


class NullSession(SecureCookieSession):
    """The session handlers get when no real one can be had (no secret key).

    Reads behave as an empty session; any write that would store something raises
    :class:`~sessionware.errors.SessionUnavailable`, whose message says how to
    configure a secret key. Calls that store nothing (``pop`` with a default,
    ``clear``, ``invalidate``) do nothing, so logout code runs unchanged.
    """

    def __init__(self, initial: Mapping[str, Any] | None = None, *, new: bool = True) -> None:
        super().__init__(None, new=True)

    def _fail(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise SessionUnavailable()

    __setitem__ = __delitem__ = popitem = setdefault = _fail

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        """Return ``default``: there is nothing to remove. Without one, refuse."""
        if default is _MISSING:
            self._fail()
        return default

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """Refuse any update that would store something."""
        if other or kwargs:
            self._fail()

    def clear(self) -> None:
        """Nothing to clear."""

    def invalidate(self) -> None:
        """Nothing to end: a null session holds nothing and sets no cookie."""

    def regenerate(self) -> None:
        """Nothing to renew: a null session has no identity."""


#: Where ``on_store_error="null"`` leaves the :class:`~sessionware.stores.StoreError`
#: of a request whose store failed, in the environ (or the ASGI scope).
STORE_ERROR_KEY = "sessionware.store_error"


class StoreUnavailableSession(NullSession):
    """The read-only empty session handlers get while the store is down.

    Only used with ``on_store_error="null"``; ``environ["sessionware.store_error"]``
    then holds the :class:`~sessionware.stores.StoreError`. Writes raise
    :class:`~sessionware.SessionUnavailable`; :meth:`invalidate` still logs out.

    :param sid: the verified session ID whose record could not be read, if any.
    """

    def __init__(
        self, initial: Mapping[str, Any] | None = None, *, new: bool = True, sid: str | None = None
    ) -> None:
        super().__init__(initial, new=new)
        #: The ID from the cookie, kept so that logout can still try to delete it.
        self.sid = sid
        #: :meth:`invalidate` was called: the response removes the cookie.
        self.invalidated = False

    def invalidate(self) -> None:
        """Log out although the store is down: the response removes the cookie.

        The stored record is deleted too if the store answers by the time the
        response is saved; if not, that is logged and the record lives until it
        expires (a copy of the cookie taken before keeps working until then).
        """
        self.accessed = True
        self.invalidated = True

    def _fail(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise SessionUnavailable(
            "The session is unavailable because the session store could not be reached "
            "(see environ['sessionware.store_error']); check the store, or handle a "
            "read-only session while it is down."
        )

    __setitem__ = __delitem__ = _fail
    pop = popitem = setdefault = update = clear = _fail
