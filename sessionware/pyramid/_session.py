"""``request.session`` for Pyramid: Pyramid's ``ISession`` over a sessionware session."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from sessionware.sessions import SessionMixin

from ._requires import ISession, implementer

__all__ = ["CREATED_KEY", "CSRF_KEY", "DEFAULT_FLASH_QUEUE", "FLASH_KEY", "PyramidSession"]

#: The session key of the flash messages: Flask's, a list of ``[category, message]``
#: pairs, so messages flashed by Pyramid show in Flask's ``get_flashed_messages()``
#: and the other way round. A Pyramid queue is a Flask category.
FLASH_KEY = "_flashes"
#: The Flask category that Pyramid's default queue (``""``) stands for.
DEFAULT_FLASH_QUEUE = "message"
#: The session key of the CSRF token: the one Pyramid's ``SessionCSRFStoragePolicy``
#: uses by default, so the legacy session methods and that policy agree.
CSRF_KEY = "_csrft_"
#: The session key of :attr:`PyramidSession.created` (Unix time, whole seconds).
CREATED_KEY = "_created"

_MISSING: Any = object()


def _category(queue: str) -> str:
    return queue or DEFAULT_FLASH_QUEUE


def _in_queue(entry: object, category: str) -> bool:
    return isinstance(entry, list | tuple) and len(entry) == 2 and entry[0] == category


@implementer(ISession)
class PyramidSession(MutableMapping[str, Any]):
    """Pyramid's ``ISession`` over the sessionware session of one request.

    Reads and writes go straight to the underlying session (:attr:`session`), which
    the session interface (or ``SessionMiddleware``) saves, so everything stays in
    the one cookie or store record that Flask and plain WSGI apps read. Pyramid's
    extras are plain JSON values under plain keys: flash messages under
    :data:`FLASH_KEY` (Flask's layout), the CSRF token under :data:`CSRF_KEY`, the
    creation time under :data:`CREATED_KEY`.

    :param session: the request's sessionware session.
    :param clock: returns the current Unix time.
    """

    def __init__(self, session: SessionMixin, clock: Callable[[], float]) -> None:
        #: The sessionware session underneath.
        self.session = session
        self._clock = clock
        self._opened_at = int(clock())

    # ISession's attributes.

    @property
    def created(self) -> int:
        """When the session was created (Unix time).

        Kept under :data:`CREATED_KEY` from the first response that stores the
        session; a session another app created reads as created when this request
        opened it, until this app saves it.
        """
        value = self.session.get(CREATED_KEY)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
        return self._opened_at

    @property
    def new(self) -> bool:
        """``True`` when the request brought no valid session (or after :meth:`invalidate`)."""
        return self.session.new

    @property
    def modified(self) -> bool:
        """Whether the session was changed in this request."""
        return self.session.modified

    @property
    def accessed(self) -> bool:
        """Whether the session was read or changed in this request."""
        return self.session.accessed

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session (see ``permanent_lifetime``)."""
        return self.session.permanent

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self.session.permanent = value

    # ISession's methods.

    def changed(self) -> None:
        """Mark the session changed, after changing a value in place.

        sessionware notices most in-place changes by itself; this makes sure.
        """
        self.session.modified = True

    def invalidate(self) -> None:
        """End the session: its data is dropped and its cookie (or record) removed.

        The session stays usable: keys set afterwards start a new session (for
        server-side stores, under a new ID), as Pyramid requires.
        """
        self.session.invalidate()
        self.session.new = True
        self._opened_at = int(self._clock())

    def regenerate(self) -> None:
        """Give the session a new identity, keeping its data: call it at login.

        A CSRF token the session held is replaced by a new one, as Django rotates its
        token at login, so a token learned before login (from a planted session) no
        longer passes ``check_csrf_token``. Not part of ``ISession``; with a
        server-side store the old ID stops working.
        """
        self.session.regenerate()
        if CSRF_KEY in self.session:
            self.new_csrf_token()

    def flash(self, msg: Any, queue: str = "", allow_duplicate: bool = True) -> None:
        """Add ``msg`` to the end of the flash ``queue`` (Flask's category of that name;
        the default queue is Flask's ``"message"`` category).

        :param allow_duplicate: when false, a message already in the queue is not added
            again.
        """
        entries = self._flash_entries()
        category = _category(queue)
        if not allow_duplicate and msg in self._messages(entries, category):
            return
        entries.append([category, msg])
        self.session[FLASH_KEY] = entries

    def peek_flash(self, queue: str = "") -> list[Any]:
        """Return the messages of ``queue``, leaving them in place."""
        return self._messages(self._flash_entries(), _category(queue))

    def pop_flash(self, queue: str = "") -> list[Any]:
        """Return the messages of ``queue`` and remove them from the session."""
        entries = self._flash_entries()
        category = _category(queue)
        messages = self._messages(entries, category)
        if messages:
            rest = [entry for entry in entries if not _in_queue(entry, category)]
            if rest:
                self.session[FLASH_KEY] = rest
            else:
                del self.session[FLASH_KEY]
        return messages

    def _flash_entries(self) -> list[Any]:
        # Written by any app sharing the session: anything but a list reads as empty.
        stored = self.session.get(FLASH_KEY)
        return list(stored) if isinstance(stored, list | tuple) else []

    @staticmethod
    def _messages(entries: list[Any], category: str) -> list[Any]:
        return [entry[1] for entry in entries if _in_queue(entry, category)]

    def new_csrf_token(self) -> str:
        """Store a new random CSRF token under :data:`CSRF_KEY` and return it.

        Pyramid's default ``LegacySessionCSRFStoragePolicy`` calls this.
        """
        token = secrets.token_hex(32)
        self.session[CSRF_KEY] = token
        return token

    def get_csrf_token(self) -> str:
        """Return the session's CSRF token, making one first if there is none."""
        token = self.session.get(CSRF_KEY)
        if isinstance(token, str) and token:
            return token
        return self.new_csrf_token()

    # The mapping, forwarded so that the underlying session tracks every access.

    def __getitem__(self, key: str) -> Any:
        return self.session[key]

    def get(self, key: str, default: Any = None) -> Any:
        """Return the value for ``key``, or ``default``."""
        return self.session.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self.session

    def __len__(self) -> int:
        return len(self.session)

    def __iter__(self) -> Iterator[str]:
        return iter(self.session)

    def keys(self) -> Any:
        """Return a view of the keys."""
        return self.session.keys()

    def values(self) -> Any:
        """Return a view of the values."""
        return self.session.values()

    def items(self) -> Any:
        """Return a view of the items."""
        return self.session.items()

    def __setitem__(self, key: str, value: Any) -> None:
        self.session[key] = value

    def __delitem__(self, key: str) -> None:
        del self.session[key]

    def pop(self, key: str, default: Any = _MISSING) -> Any:
        """Remove ``key`` and return its value (or ``default``)."""
        if default is _MISSING:
            return self.session.pop(key)
        return self.session.pop(key, default)

    def popitem(self) -> tuple[str, Any]:
        """Remove and return an item."""
        return self.session.popitem()

    def setdefault(self, key: str, default: Any = None) -> Any:
        """Return the value of ``key``, first setting it to ``default`` if missing."""
        return self.session.setdefault(key, default)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """Update from a mapping or iterable of pairs and keyword arguments."""
        self.session.update(other, **kwargs)

    def clear(self) -> None:
        """Remove every key."""
        self.session.clear()

    def __eq__(self, other: object) -> bool:
        return self.session == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<PyramidSession {self.session!r}>"
