"""Revocation for cookie sessions: a "not before" time per user, in a store.

A signed or encrypted cookie cannot be deleted from a browser that is not asking, but
the server can refuse it. :meth:`Revocation.revoke` records "not before now" for a
user in a store; from then on every cookie of that user whose session was created
(logged in) before that moment is refused, wherever it is::

    store = RedisStore("redis://127.0.0.1:6379/0")
    revocation = Revocation(store, user_key="user_id")
    interface = SecureCookieSessionInterface(revocation=revocation)
    app = SessionMiddleware(app, secret_key=..., interface=interface)
    ...
    revocation.revoke("ada")         # "log out everywhere"
    environ["session"].regenerate()  # ... and keep this browser logged in

Each process asks the store at most once per user per ``check_interval``: a
revocation reaches the other processes within that time (the process that revoked
knows at once). Times are whole seconds: a session created in the same second as the
revocation is kept.

The policy is a value any cookie interface takes (``revocation=``); both keep the
creation time under ``_created``, which it compares. This module knows stores and
nothing of interfaces: the interface asks :meth:`Revocation.revoked_since` and acts on
the answer. :class:`RevocableCookieSessionInterface` and
:class:`RevocableEncryptedCookieSessionInterface` are shortcuts that take the store
first, through :class:`RevocationMixin`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sessionware import events
from sessionware.config.settings import MAX_COOKIE_AGE
from sessionware.stores._records import OnStoreError
from sessionware.stores._users import user_text
from sessionware.stores.base import Store

__all__ = ["Revocation"]


def _seconds(name: str, value: Any, least: float) -> float:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= least:
        raise ValueError(
            f"{name} must be a timedelta or a number of seconds >= {least}, got {value!r}."
        )
    return float(value)


class Revocation:
    """Log out everywhere: a "not before" time per user, kept in a store.

    Give it to a cookie interface as ``revocation=``. A cookie whose session was
    created before its user's "not before" time is refused (reason ``revoked``); only
    those times live in the store, one per revoked user.

    :param store: where "not before" times are kept (any store with a
        :meth:`~sessionware.stores.Store.user_index`): Redis or SQL when several
        processes serve the app.
    :param user_key: the session key naming the user (a str or int value).
    :param check_interval: how long (seconds or a timedelta) a process reuses a user's
        "not before" time before asking the store again: the most a revocation lags
        in other processes. 0 asks on every request.
    :param on_store_error: when the store fails, ``"raise"`` (the default) fails the
        request with :class:`~sessionware.stores.StoreError`; ``"null"`` serves a
        read-only empty session, with the error in ``environ["sessionware.store_error"]``.
        Never is a cookie accepted without the check.
    :param keep_for: how long a "not before" time is kept; make it at least
        ``permanent_lifetime`` (older cookies are refused anyway). 400 days by default.
    :param max_users: the most users whose times a process caches.
    :param clock: the time in Unix seconds; by default the clock of the interface it
        is given to.
    """

    def __init__(
        self,
        store: Store,
        *,
        user_key: str = "user_id",
        check_interval: timedelta | float = 30,
        on_store_error: OnStoreError = "raise",
        keep_for: timedelta | float = MAX_COOKIE_AGE,
        max_users: int = 10_000,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if not isinstance(store, Store):
            raise TypeError(
                f"store must be a sessionware.stores.Store, got {type(store).__name__}."
            )
        if not isinstance(user_key, str) or not user_key:
            raise TypeError(f"user_key must be a non-empty str, got {user_key!r}.")
        if on_store_error not in ("raise", "null"):
            raise ValueError(f"on_store_error must be 'raise' or 'null', got {on_store_error!r}.")
        if isinstance(max_users, bool) or not isinstance(max_users, int) or max_users < 1:
            raise ValueError(f"max_users must be a positive int, got {max_users!r}.")
        self.store = store
        self.user_key = user_key
        self.check_interval = _seconds("check_interval", check_interval, 0)
        self.keep_for = int(_seconds("keep_for", keep_for, 1))
        self.on_store_error: OnStoreError = on_store_error
        self.max_users = max_users
        self.clock: Callable[[], float] | None = clock
        #: What events name as the interface: the one this policy was given to.
        self.owner: object = self
        self._cache: OrderedDict[str, tuple[int | None, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.store!r} user_key={self.user_key!r}>"

    def bind(self, owner: object, clock: Callable[[], float]) -> None:
        """Called by the interface that takes this policy: its clock, unless one was given."""
        self.owner = owner
        if self.clock is None:
            self.clock = clock

    def _now(self) -> float:
        return self.clock() if self.clock is not None else time.time()

    def revoked_since(self, data: dict[str, Any], created: int | None) -> int | None:
        """How many seconds after its creation the session holding ``data`` was revoked;
        ``None`` when it stands (no user, never revoked, or created since).

        :raises StoreError: the store failed; the interface applies ``on_store_error``.
        """
        user = user_text(data.get(self.user_key))
        if user is None or created is None:
            return None
        not_before = self.not_before(user)
        if not_before is not None and created < not_before:
            return not_before - created
        return None

    def not_before(self, user: str) -> int | None:
        """``user``'s "not before" time, from this process's cache or the store.

        :raises StoreError: the store failed.
        """
        now = self._now()
        with self._lock:
            cached = self._cache.get(user)
            if cached is not None and now - cached[1] < self.check_interval:
                self._cache.move_to_end(user)
                return cached[0]
        value = self.store.user_index().not_before(user)
        self._remember(user, value, now)
        return value

    def _remember(self, user: str, value: int | None, now: float) -> None:
        with self._lock:
            self._cache[user] = (value, now)
            self._cache.move_to_end(user)
            while len(self._cache) > self.max_users:
                self._cache.popitem(last=False)

    def revoke(self, user: object) -> None:
        """Refuse, from now on, every cookie of ``user`` whose session began before now.

        Other processes follow within ``check_interval``. Call
        ``session.regenerate()`` in the same request to keep the current browser
        logged in (it restarts the session's clock).

        :raises StoreError: the store failed.
        """
        name = user_text(user)
        if name is None:
            raise TypeError(f"user must be a str or int, as session[user_key] holds, got {user!r}.")
        now = self._now()
        self.store.user_index().set_not_before(name, int(now), self.keep_for)
        self._remember(name, int(now), now)
        events.emit("revoked", interface=self.owner)
