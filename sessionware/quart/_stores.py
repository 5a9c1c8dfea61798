"""``init_app(app, store=...)``: the server-side interface for a store URL or object."""

from __future__ import annotations

from sessionware.interfaces.base import SessionInterface
from sessionware.serverside.interface import ServerSideSessionInterface
from sessionware.stores._url import async_store_from_url
from sessionware.stores.asyncbase import AsyncStore
from sessionware.stores.base import Store

__all__ = ["store_interface"]


def store_interface(store: str | Store | AsyncStore) -> SessionInterface:
    """The server-side interface on ``store``, whose calls never block the event loop.

    A URL names an async store (or ``memory://``, in this process); an
    :class:`~sessionware.stores.AsyncStore` is awaited; a sync store must be
    process-local (:class:`~sessionware.stores.MemoryStore`).

    :raises TypeError: a sync store that leaves the process (``RedisStore``, ``SQLStore``),
        or no store at all.
    """
    if isinstance(store, str):
        store = async_store_from_url(store)
    if isinstance(store, AsyncStore):
        # Imported here: only async stores need greenlet.
        from sessionware.serverside.awaiting import AsyncServerSideSessionInterface

        return AsyncServerSideSessionInterface(store)
    if isinstance(store, Store):
        # QuartSessionInterface refuses it if it leaves the process.
        return ServerSideSessionInterface(store)
    raise TypeError(
        "store must be a store URL (such as 'redis://127.0.0.1:6379/0'), an AsyncStore "
        f"or a MemoryStore, got {type(store).__name__}."
    )
