"""The async store contract: :class:`~sessionware.stores.Store`'s methods, awaited.

An :class:`AsyncStore` does what a :class:`~sessionware.stores.Store` does (the same
records, versions, compare-and-set and errors; see there), with coroutine methods, so
that an ASGI app never blocks its event loop on the network.
:class:`~sessionware.asgi.AsyncServerSideSessionInterface` takes one. The same
conformance suite (``tests/stores/contract.py``) checks both kinds.
"""

from __future__ import annotations

from .base import StoreError, StoreRecord

__all__ = ["AsyncStore"]


class AsyncStore:
    """Base class of async session stores; see :class:`~sessionware.stores.Store`.

    Implement :meth:`get`, :meth:`set`, :meth:`move`, :meth:`delete` and :meth:`touch`
    as coroutines; failures raise :class:`~sessionware.stores.StoreError`.
    """

    #: ``True`` when records live in this process only.
    process_local: bool = False

    async def get(self, sid: str) -> StoreRecord | None:
        """Return the record of ``sid``, or ``None`` (see :meth:`Store.get`)."""
        raise NotImplementedError(f"{type(self).__name__}.get(sid) must be implemented")

    async def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        """Compare-and-set the record of ``sid`` (see :meth:`Store.set`)."""
        raise NotImplementedError(f"{type(self).__name__}.set(...) must be implemented")

    async def move(self, sid: str, new_sid: str, data: str, ttl: int, version: int) -> int | None:
        """Move the record of ``sid`` to ``new_sid`` in one atomic step (see :meth:`Store.move`)."""
        raise NotImplementedError(f"{type(self).__name__}.move(...) must be implemented")

    async def delete(self, sid: str) -> None:
        """Remove the record of ``sid``; no error if there is none."""
        raise NotImplementedError(f"{type(self).__name__}.delete(sid) must be implemented")

    async def touch(self, sid: str, ttl: int) -> bool:
        """Extend the expiry of ``sid``'s record, keeping data and version."""
        raise NotImplementedError(f"{type(self).__name__}.touch(sid, ttl) must be implemented")

    async def settle(
        self, sid: str, version: int | None, data: str, new_sid: str | None = None
    ) -> int | None:
        """After an :class:`~sessionware.stores.UnconfirmedWrite`, whether the write
        landed (see :meth:`Store.settle`); the default cannot tell."""
        raise StoreError(
            f"{type(self).__name__} cannot tell whether an unanswered write was applied"
        )

    async def cleanup(self) -> int:
        """Delete expired records and return how many (0 where the back end expires them)."""
        return 0

    async def close(self) -> None:
        """Release connections; the store is not used afterwards."""
