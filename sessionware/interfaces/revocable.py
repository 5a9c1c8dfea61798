"""Shortcuts for cookie interfaces with the revocation policy, taking the store first.

``RevocableCookieSessionInterface(store, user_key=...)`` reads better in an app than
``SecureCookieSessionInterface(revocation=Revocation(store, user_key=...))``, and
offers ``revoke()`` on the interface. The policy itself is written once, in
:class:`~sessionware.policies.revocation.Revocation`; this module only wires it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sessionware.config.settings import MAX_COOKIE_AGE
from sessionware.policies.revocation import Revocation
from sessionware.stores._records import OnStoreError
from sessionware.stores.base import Store

from .cookie import CookieSessionInterface
from .encrypted import EncryptedCookieSessionInterface
from .signed import SecureCookieSessionInterface

__all__ = [
    "RevocableCookieSessionInterface",
    "RevocableEncryptedCookieSessionInterface",
    "RevocationMixin",
]


class RevocationMixin(CookieSessionInterface):
    """Builds a :class:`~sessionware.policies.revocation.Revocation` from ``store`` and
    its settings, and gives the interface its ``revoke()``.

    Put it first among the bases of a subclass of a cookie interface, as
    :class:`RevocableCookieSessionInterface` does; the keywords it does not take go to
    that interface. The settings are :class:`~sessionware.policies.revocation.Revocation`'s.
    """

    revocation: Revocation

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
        revocation = Revocation(
            store,
            user_key=user_key,
            check_interval=check_interval,
            on_store_error=on_store_error,
            keep_for=keep_for,
            max_users=max_users,
        )
        super().__init__(clock=clock, revocation=revocation, **kwargs)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.store!r} user_key={self.user_key!r}>"

    @property
    def store(self) -> Store:
        """Where the "not before" times are kept."""
        return self.revocation.store

    @property
    def user_key(self) -> str:
        """The session key naming the user."""
        return self.revocation.user_key

    def not_before(self, user: str) -> int | None:
        """``user``'s "not before" time: :meth:`Revocation.not_before
        <sessionware.policies.revocation.Revocation.not_before>`."""
        return self.revocation.not_before(user)

    def revoke(self, user: object) -> None:
        """Log ``user`` out everywhere: :meth:`Revocation.revoke
        <sessionware.policies.revocation.Revocation.revoke>`."""
        self.revocation.revoke(user)


class RevocableCookieSessionInterface(RevocationMixin, SecureCookieSessionInterface):
    """Signed-cookie sessions whose users can be logged out everywhere.

    The same as ``SecureCookieSessionInterface(revocation=Revocation(store, ...))``.
    The cookie is Flask's, plus the session's creation time under ``_created`` (see
    ``docs/lifetime.md``). It takes :class:`RevocationMixin`'s settings (``store``
    first) and the keywords of :class:`~sessionware.SecureCookieSessionInterface`.
    """


class RevocableEncryptedCookieSessionInterface(RevocationMixin, EncryptedCookieSessionInterface):
    """Encrypted-cookie sessions whose users can be logged out everywhere.

    The same as ``EncryptedCookieSessionInterface(revocation=Revocation(store, ...))``.
    The creation time under ``_created`` is inside the ciphertext. It takes
    :class:`RevocationMixin`'s settings (``store`` first) and the keywords of
    :class:`~sessionware.EncryptedCookieSessionInterface` (``compress``, ``purpose``,
    ``serializer``, ``clock``).

    :raises ImportError: ``cryptography`` is not installed (``pip install
        sessionware[crypto]``).
    """
