"""The session objects of server-side sessions: they only record what the request changed.

Nothing here talks to a store; :mod:`.saving` turns what a session recorded into writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sessionware.sessions import SecureCookieSession
from sessionware.sessions import StoreUnavailableSession as StoreUnavailableSession

__all__ = ["ServerSideSession", "StoreUnavailableSession"]

_MISSING: Any = object()


class ServerSideSession(SecureCookieSession):
    """A session whose data lives in a store, under :attr:`sid`.

    Besides what :class:`~sessionware.SecureCookieSession` tracks, it records the
    keys the request set or deleted (:attr:`changed_keys`). When a concurrent request
    saved the session first, only those keys are applied onto the newer stored copy,
    so changes to different keys are all kept.

    :param initial: the session data.
    :param new: ``False`` when the data came from the store.
    :param sid: the session ID, ``None`` until the session is first stored.
    :param version: the stored record's version the data was read at.
    """

    def __init__(
        self,
        initial: Mapping[str, Any] | None = None,
        *,
        new: bool = True,
        sid: str | None = None,
        version: int | None = None,
    ) -> None:
        super().__init__(initial, new=new)
        #: The session ID; ``None`` until the session is first stored.
        self.sid = sid
        #: The version of the stored record this session's data was read at.
        self.version = version
        #: Keys this request set or deleted, re-applied on a concurrent write.
        self.changed_keys: set[str] = set()
        #: :meth:`regenerate` was called: the next save moves the data to a new ID.
        self.regenerate_requested = False
        #: :meth:`invalidate` was called: the next save deletes the stored record.
        self.invalidated = False
        #: The ID whose record must be deleted by the next save.
        self.ended_sid: str | None = None
        #: When the cookie carrying the ID was signed (Unix time), if it came with one.
        self.issued_at: int | None = None
        #: The user the loaded data named (``user_key``), as the user index names them.
        self.user: str | None = None
        #: The request's environ, for the user index's ``session_metadata``; ``None``
        #: without one, and once the request is over (the environ holds the session).
        self.environ: Mapping[str, Any] | None = None
        #: The fresh ID regenerate() will move to, drawn before the save so that the
        #: user index can list it first (then a revocation racing the move ends it).
        self.next_sid: str | None = None

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.changed_keys.add(key)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.changed_keys.add(key)

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        """Remove ``key`` and return its value (or ``default``)."""
        if key in self.data:
            self.changed_keys.add(key)
        return super().pop(key) if default is _MISSING else super().pop(key, default)

    def popitem(self) -> tuple[str, Any]:
        """Remove and return the most recently added item."""
        item = super().popitem()
        self.changed_keys.add(item[0])
        return item

    def setdefault(self, key: str, default: Any = None) -> Any:
        """Return the value of ``key``, first setting it to ``default`` if missing."""
        if key not in self.data:
            self.changed_keys.add(key)
        return super().setdefault(key, default)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """Update from a mapping or iterable of pairs and keyword arguments."""
        items = dict(other, **kwargs)
        super().update(items)
        self.changed_keys.update(items)

    def clear(self) -> None:
        """Remove every key."""
        self.changed_keys.update(self.data)
        super().clear()

    def regenerate(self) -> None:
        """Move the session to a new ID, keeping its data; the old ID stops working.

        Call it when the user logs in (or gains privileges), so that an ID an attacker
        planted or saw before login is worthless after it.
        """
        self.accessed = self.modified = True
        self.regenerate_requested = True

    def invalidate(self) -> None:
        """End the session: its stored record is deleted and the cookie removed.

        Call it at logout. Keys set after it start a new session under a new ID.
        """
        self.clear()
        self.accessed = self.modified = True
        self.invalidated = True
        if self.sid is not None:
            self.ended_sid = self.sid
        self.sid = None
        self.version = None
        self.changed_keys.clear()
        self.loaded_text = None

    def saved(self, sid: str, version: int, text: str) -> None:
        """Record a successful write: the session now matches ``version`` of ``sid``."""
        self.sid, self.version, self.loaded_text = sid, version, text
        self.new = False
        self.changed_keys.clear()
        self.modified = self.may_have_mutated = False
        self.regenerate_requested = self.invalidated = False
        self.ended_sid = None

    def __repr__(self) -> str:
        # The ID is a credential: keep it out of reprs and logs.
        return f"<{type(self).__name__} {self.data!r}>"
