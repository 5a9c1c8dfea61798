"""``SESSION_ENGINE = "sessionware.django.store"``: sessions in a sessionware store.

The store comes from the ``SESSIONWARE_STORE_URL`` setting (``memory://``,
``redis://...``, ``sqlite:///...``, ``postgresql://...``; see
:func:`~sessionware.stores.store_from_url`). The cookie carries the signed session ID
that :class:`~sessionware.ServerSideSessionInterface` issues, so a plain sessionware
or Flask app on the same store and secret shares the session. Saves are versioned:
two concurrent requests of one session that change different keys both keep their
changes, where Django's own back ends keep only the later request's.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, cast

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.sessions.backends.base import CreateError, UpdateError

from sessionware.config.settings import SessionConfig
from sessionware.interfaces.base import Headers, SessionInterface

# From the package: the server-side modules' layout is theirs to change.
from sessionware.serverside import ServerSideSession, ServerSideSessionInterface
from sessionware.stores import Store
from sessionware.stores._url import store_from_url

from . import _config
from ._base import EngineSession, cookie_value, environ_for

__all__ = ["SessionStore"]


#: The store the settings name, with the URL and options it was built from: kept
#: across setting changes that leave those alone (a memory:// store holds the sessions).
_kept: tuple[str, dict[str, Any], Store] | None = None
_kept_lock = threading.Lock()


def _store_settings(options: Mapping[str, Any]) -> tuple[Any, Any]:
    """The store URL and store options that ``options`` (SESSIONWARE) and the settings name."""
    url = options.get("store_url") or getattr(settings, "SESSIONWARE_STORE_URL", None)
    return url, options.get("store_options") or {}


def _store(url: str, store_options: Mapping[str, Any]) -> Store:
    """The kept store if it was built from ``url`` and ``store_options``, else a new one."""
    global _kept
    with _kept_lock:
        if _kept is not None and _kept[:2] == (url, store_options):
            return _kept[2]
        old, _kept = _kept, None
    if old is not None:
        old[2].close()
    store = store_from_url(url, **store_options)
    with _kept_lock:
        _kept = (url, dict(store_options), store)
    return store


def _release(interface: SessionInterface) -> None:
    """Close the kept store unless the settings now in force still name it."""
    global _kept
    overrides = getattr(settings, "SESSIONWARE", {})
    wanted = _store_settings(overrides) if isinstance(overrides, Mapping) else None
    with _kept_lock:
        if _kept is None or _kept[:2] == wanted:
            return
        old, _kept = _kept, None
    old[2].close()


def _build(config: SessionConfig, options: Mapping[str, Any]) -> ServerSideSessionInterface:
    url, store_options = _store_settings(options)
    options = {k: v for k, v in options.items() if k not in ("store_url", "store_options")}
    if not url:
        raise ValueError(
            "it needs a store: set SESSIONWARE_STORE_URL, e.g. 'redis://127.0.0.1:6379/0', "
            "'sqlite:///sessions.sqlite3', 'postgresql://user@host/db', or 'memory://' "
            "for a single process."
        )
    if not isinstance(store_options, Mapping):
        raise TypeError(f"SESSIONWARE['store_options'] must be a dict, got {store_options!r}.")
    try:
        store = _store(url, store_options)
    except ImportError as exc:
        raise ValueError(str(exc)) from None
    return ServerSideSessionInterface(store, **options)


_config.register("store", _build, _release)


class SessionStore(EngineSession):
    """Django's session API over :class:`~sessionware.ServerSideSessionInterface`.

    A forged, expired or unknown ID is an empty session without a key (logged on the
    ``sessionware`` logger with the reason); an ID the server did not issue is never
    adopted. ``cycle_key()`` (called by ``login()``) moves the data to a new ID and
    deletes the old record; ``flush()`` (``logout()``) deletes the record. A store
    failure raises :class:`~sessionware.stores.StoreError`.
    """

    engine = "store"

    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._record: ServerSideSession | None = None

    def _loaded_text(self) -> str | None:
        record = self._record
        return None if record is None else record.loaded_text

    def _interface(self) -> tuple[SessionConfig, ServerSideSessionInterface]:
        state = self._state()
        return state.config, cast(ServerSideSessionInterface, state.interface)

    def _open(self, session_key: str) -> ServerSideSession | None:
        """The stored session the cookie value names, if it is valid and in the store."""
        state = self._state()
        session = state.interface.open_session(state.config, environ_for(state, session_key))
        if isinstance(session, ServerSideSession) and session.sid is not None:
            return session
        return None

    def _issue(self, record: ServerSideSession) -> str | None:
        """Save ``record`` through the interface; the new cookie value, if it set one."""
        config, interface = self._interface()
        headers: Headers = []
        interface.save_session(config, record, headers)
        return cookie_value(headers)

    def load(self) -> dict[str, Any]:
        """Load the record the key names; ``{}`` (and no key) if there is none."""
        key = self.session_key
        record = self._open(key) if key else None
        if record is not None and self._expired(record.data, record.issued_at):
            self._refuse_expired()
            self._interface()[1].store.delete(cast(str, record.sid))
            record = None
        self._record = record
        if record is None:
            self._session_key = None
            return {}
        if record.reissue:
            # Its ID was signed with a fallback key: re-sign it with the key on this response.
            self.modified = True
        return record.data

    def exists(self, session_key: str | None) -> bool:
        """Whether ``session_key`` is a valid cookie value of a stored session."""
        return bool(session_key) and self._open(cast(str, session_key)) is not None

    def create(self) -> None:
        """Store a new empty session under a fresh ID, which becomes the key."""
        config, interface = self._interface()
        text = interface.serializer.dumps({})
        for _ in range(3):
            sid = interface.new_sid()
            version = interface.store.set(sid, text, config.lifetime_seconds, None)
            if version is not None:
                break
        else:  # pragma: no cover - three colliding 256-bit IDs
            raise CreateError("the store refused three fresh session IDs")
        record = ServerSideSession({}, new=False, sid=sid, version=version)
        record.loaded_text = text
        # Re-issue: the interface signs the ID into the cookie value.
        record.reissue = True
        self._record = record
        self._session_key = self._issue(record)
        self._session_cache = record.data
        self.modified = True

    def save(self, must_create: bool = False) -> None:
        """Write the session through the interface (versioned; see the module docstring).

        :raises UpdateError: the session was deleted meanwhile (a logout in a concurrent
            request); Django's middleware turns it into ``SessionInterrupted``.
        :raises CreateError: ``must_create`` and the session is stored already.
        """
        data = self._session
        record = self._record
        if record is None:
            self._save_new(data)
            return
        if must_create:
            raise CreateError("the session is stored already")
        self._adopt(record, data)
        value = self._issue(record)
        if value is not None:
            self._session_key = value
        elif record.modified:
            # The versioned write found no record: ended by a concurrent request.
            raise UpdateError

    def _save_new(self, data: dict[str, Any]) -> None:
        if not data:
            self.create()
            return
        record = ServerSideSession(data)
        record.modified = True
        self._record = record
        self._session_key = self._issue(record)
        self._session_cache = record.data

    def _adopt(self, record: ServerSideSession, data: dict[str, Any]) -> None:
        """Make ``record`` hold the data Django's methods changed."""
        if data is not record.data:
            # Django's clear() and cycle_key() replace the dict rather than change it.
            record.data.clear()
            record.data.update(data)
            self._session_cache = record.data
        if self.modified:
            record.modified = True
        # Django writes to the dict directly, so the interface compares the data with
        # what was loaded to find the changes (and the keys a concurrent save must keep).
        record.may_have_mutated = True

    def delete(self, session_key: str | None = None) -> None:
        """Delete the stored session ``session_key`` names (default: this one)."""
        _, interface = self._interface()
        record = self._record
        if session_key is None or session_key == self.session_key:
            self._record = None
            if record is not None and record.sid is not None:
                interface.store.delete(record.sid)
                return
            session_key = self.session_key
        if session_key:
            other = self._open(session_key)
            if other is not None and other.sid is not None:
                interface.store.delete(other.sid)

    def cycle_key(self) -> None:
        """Move the data to a new ID and delete the old record (call it at login)."""
        data = self._session
        record = self._record
        if record is None:
            super().cycle_key()
            return
        self._adopt(record, data)
        record.regenerate()
        value = self._issue(record)
        if value is None:
            # Ended by a concurrent request: start over under a new ID.
            self._record = None
            self.create()
            self._session_cache = data
            return
        self._session_key = value
        self.modified = True

    async def acycle_key(self) -> None:
        """:meth:`cycle_key`, in a thread (it talks to the store)."""
        await sync_to_async(self.cycle_key)()

    def encode(self, session_dict: dict[str, Any]) -> str:
        """The stored text of ``session_dict``: tagged JSON, as sessionware stores it."""
        return self._interface()[1].serializer.dumps(session_dict)

    def decode(self, session_data: str) -> dict[str, Any]:
        """The data in stored text; ``{}`` and a security warning if it is not valid."""
        try:
            data = self._interface()[1].serializer.loads(session_data)
        except (ValueError, RecursionError):
            data = None
        return data if isinstance(data, dict) else self._corrupted()

    @classmethod
    def clear_expired(cls) -> None:
        """Delete expired records (``manage.py clearsessions``); Redis expires its own."""
        cast(ServerSideSessionInterface, _config.load("store").interface).store.cleanup()


# Fail at start-up (Django imports the engine when it loads the middleware), not on the
# first request, when a setting is wrong.
_config.check_at_import("store", __name__)
