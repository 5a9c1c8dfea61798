"""Server-side sessions on an :class:`~sessionware.stores.AsyncStore`, sharing the sync code.

The interface, the save policy and the merge of concurrent changes are written once,
as plain functions that call a :class:`~sessionware.stores.Store`. To run them on an
async store without blocking the event loop and without a second copy of that logic,
:func:`run_awaiting` calls them in a greenlet, and the :class:`AwaitingStore` they are
given hands each store call (a coroutine) back to the caller's task, which awaits it
on the event loop and passes the result back in. So every network call is awaited by
the event loop, while the decisions stay in one place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sessionware.stores.asyncbase import AsyncStore
from sessionware.stores.base import Store, StoreRecord

from .interface import ServerSideSessionInterface

__all__ = ["AsyncServerSideSessionInterface", "AwaitingStore", "await_", "run_awaiting"]

T = TypeVar("T")

try:
    import greenlet
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        "async session stores need greenlet: pip install sessionware[async-redis] "
        "or sessionware[async-sql]"
    ) from exc


class _Bridge(greenlet.greenlet):  # type: ignore[misc]
    """The greenlet :func:`run_awaiting` runs sync code in."""


async def run_awaiting(function: Callable[..., T], *args: Any) -> T:
    """Call ``function(*args)``, awaiting here every awaitable it passes to :func:`await_`."""
    child = _Bridge(function)
    request: Any = child.switch(*args)
    while not child.dead:
        try:
            result = await request
        except BaseException as exc:  # every error goes back in, cancellation too
            request = child.throw(exc)
        else:
            request = child.switch(result)
    return request  # type: ignore[no-any-return]


def await_(awaitable: Awaitable[T]) -> T:
    """Wait for ``awaitable`` from sync code run by :func:`run_awaiting`.

    :raises RuntimeError: not called under :func:`run_awaiting` (e.g. an async store
        used by the WSGI middleware).
    """
    current = greenlet.getcurrent()
    if not isinstance(current, _Bridge):
        close = getattr(awaitable, "close", None)
        if close is not None:
            close()
        raise RuntimeError(
            "An async session store was called outside sessionware.asgi.SessionMiddleware; "
            "under WSGI use ServerSideSessionInterface with RedisStore or SQLStore."
        )
    return current.parent.switch(awaitable)  # type: ignore[no-any-return]


class AwaitingStore(Store):
    """A :class:`~sessionware.stores.Store` whose calls await an :class:`AsyncStore`.

    Only usable under :func:`run_awaiting`.
    """

    def __init__(self, store: AsyncStore) -> None:
        self.async_store = store
        self.process_local = store.process_local

    def __repr__(self) -> str:
        return repr(self.async_store)

    def get(self, sid: str) -> StoreRecord | None:
        """See :meth:`AsyncStore.get`."""
        return await_(self.async_store.get(sid))

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        """See :meth:`AsyncStore.set`."""
        return await_(self.async_store.set(sid, data, ttl, version))

    def move(self, sid: str, new_sid: str, data: str, ttl: int, version: int) -> int | None:
        """See :meth:`AsyncStore.move`."""
        return await_(self.async_store.move(sid, new_sid, data, ttl, version))

    def delete(self, sid: str) -> None:
        """See :meth:`AsyncStore.delete`."""
        await_(self.async_store.delete(sid))

    def touch(self, sid: str, ttl: int) -> bool:
        """See :meth:`AsyncStore.touch`."""
        return await_(self.async_store.touch(sid, ttl))

    def settle(
        self, sid: str, version: int | None, data: str, new_sid: str | None = None
    ) -> int | None:
        """See :meth:`AsyncStore.settle`."""
        return await_(self.async_store.settle(sid, version, data, new_sid))

    def cleanup(self) -> int:
        """See :meth:`AsyncStore.cleanup`."""
        return await_(self.async_store.cleanup())

    def close(self) -> None:
        """See :meth:`AsyncStore.close`."""
        await_(self.async_store.close())


class AsyncServerSideSessionInterface(ServerSideSessionInterface):
    """:class:`~sessionware.ServerSideSessionInterface` on an async store, for ASGI apps.

    ::

        interface = AsyncServerSideSessionInterface(AsyncRedisStore("redis://127.0.0.1:6379/0"))
        app = SessionMiddleware(app, secret_key=..., interface=interface)

    Everything (versioned saves that keep concurrent changes to different keys,
    ``on_store_error``, ``touch_interval``, regenerate and invalidate) is the sync
    interface's own code; only the store calls are awaited, on the event loop. Use it
    with :class:`sessionware.asgi.SessionMiddleware`, which opens the session before
    the app runs (a dict method cannot await) and saves it as the response starts.

    :param store: an :class:`~sessionware.stores.AsyncStore`.
    :param settings: as for :class:`~sessionware.ServerSideSessionInterface`.
    """

    #: Tells the ASGI middleware to run this interface's methods under run_awaiting.
    awaits_store = True

    def __init__(self, store: AsyncStore, **settings: Any) -> None:
        if not isinstance(store, AsyncStore):
            raise TypeError(
                "store must be a sessionware.stores.AsyncStore (AsyncRedisStore, "
                f"AsyncSQLStore or a subclass), got {type(store).__name__}; sync stores "
                "go with ServerSideSessionInterface."
            )
        super().__init__(AwaitingStore(store), **settings)

    @property
    def async_store(self) -> AsyncStore:
        """The async store sessions are kept in."""
        store = self.store
        assert isinstance(store, AwaitingStore)
        return store.async_store
