"""Revocation for cookie sessions: a "not before" time per user, in a store.

A signed or encrypted cookie cannot be deleted from a browser that is not asking, but
the server can refuse it. :meth:`RevocationMixin.revoke` records "not before now" for
a user in a store; from then on every cookie of that user whose session was created
(logged in) before that moment is refused, wherever it is::

    store = RedisStore("redis://127.0.0.1:6379/0")
    interface = RevocableCookieSessionInterface(store, user_key="user_id")
    app = SessionMiddleware(app, secret_key=..., interface=interface)
    ...
    interface.revoke("ada")         # "log out everywhere"
    environ["session"].regenerate()  # ... and keep this browser logged in

Each process asks the store at most once per user per ``check_interval``: a
revocation reaches the other processes within that time (the process that revoked
knows at once). Times are whole seconds: a session created in the same second as the
revocation is kept.

The logic lives once, in :class:`RevocationMixin`, over any cookie interface (both
keep the creation time under ``_created``): :class:`RevocableCookieSessionInterface`
puts it on signed cookies, :class:`RevocableEncryptedCookieSessionInterface` on
encrypted ones.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from sessionware import events
from sessionware.config.settings import MAX_COOKIE_AGE, SessionConfig
from sessionware.interfaces.base import WSGIEnviron
from sessionware.interfaces.cookie import CookieSessionInterface
from sessionware.interfaces.encrypted import EncryptedCookieSessionInterface
from sessionware.interfaces.signed import SecureCookieSessionInterface
from sessionware.serverside.interface import STORE_ERROR_KEY
from sessionware.serverside.saving import OnStoreError
from sessionware.serverside.session import StoreUnavailableSession
from sessionware.serverside.users import user_text
from sessionware.sessions import SecureCookieSession
from sessionware.stores.base import Store, StoreError

__all__ = [
    "RevocableCookieSessionInterface",
    "RevocableEncryptedCookieSessionInterface",
    "RevocationMixin",
]

logger = logging.getLogger("sessionware")


def _seconds(name: str, value: Any, least: float) -> float:
    if isinstance(value, timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= least:
        raise ValueError(
            f"{name} must be a timedelta or a number of seconds >= {least}, got {value!r}."
        )
    return float(value)


class RevocationMixin(CookieSessionInterface):
    """Log out everywhere for a cookie session interface: a "not before" time per user.

    Put it first among the bases of a subclass of a cookie interface, as
    :class:`RevocableCookieSessionInterface` does; the keywords it does not take go to
    that interface. A cookie whose session was created before its user's "not before"
    time is refused (reason ``revoked``); only those times live in the store, one per
    revoked user.

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
    """

    records_creation = True

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
        **kwargs: Any,
    ) -> None:
        super().__init__(clock=clock, **kwargs)
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
        self._cache: OrderedDict[str, tuple[int | None, float]] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.store!r} user_key={self.user_key!r}>"

    def open_session(
        self, config: SessionConfig, environ: WSGIEnviron
    ) -> SecureCookieSession | None:
        """Open the cookie's session, refusing it if its user was revoked since it began."""
        # Both cookie interfaces open a SecureCookieSession (or nothing, without a key).
        session = cast("SecureCookieSession | None", super().open_session(config, environ))
        if session is None or session.new:
            return session
        user = user_text(session.data.get(self.user_key))
        if user is None:
            return session
        try:
            not_before = self.not_before(user)
        except StoreError as exc:
            events.emit("store_error", reason=exc.reason, interface=self)
            if self.on_store_error == "raise":
                raise
            logger.error("%s Serving a read-only empty session.", exc.reason)
            environ[STORE_ERROR_KEY] = exc
            return StoreUnavailableSession()
        created = session.created_at
        if not_before is not None and created is not None and created < not_before:
            self.log_refused(
                config,
                f"its user's sessions were revoked {not_before - created} seconds after it began",
                code="revoked",
            )
            return self.session_class()
        return session

    def not_before(self, user: str) -> int | None:
        """``user``'s "not before" time, from this process's cache or the store.

        :raises StoreError: the store failed.
        """
        now = self.clock()
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
        now = self.clock()
        self.store.user_index().set_not_before(name, int(now), self.keep_for)
        self._remember(name, int(now), now)
        events.emit("revoked", interface=self)


class RevocableCookieSessionInterface(RevocationMixin, SecureCookieSessionInterface):
    """Signed-cookie sessions whose users can be logged out everywhere.

    The cookie is Flask's, plus the session's creation time under ``_created`` (see
    ``docs/lifetime.md``). It takes :class:`RevocationMixin`'s settings (``store``
    first) and the keywords of :class:`~sessionware.SecureCookieSessionInterface`.
    """


class RevocableEncryptedCookieSessionInterface(RevocationMixin, EncryptedCookieSessionInterface):
    """Encrypted-cookie sessions whose users can be logged out everywhere.

    The cookie is the encrypted interface's (AES-256-GCM); the creation time under
    ``_created`` is inside the ciphertext. It takes :class:`RevocationMixin`'s settings
    (``store`` first) and the keywords of
    :class:`~sessionware.EncryptedCookieSessionInterface` (``compress``, ``purpose``,
    ``serializer``, ``clock``).

    :raises ImportError: ``cryptography`` is not installed (``pip install
        sessionware[crypto]``).
    """
