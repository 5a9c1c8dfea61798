"""An async store in an SQL database through SQLAlchemy's asyncio engine.

The rows, statements and error handling are :class:`~sessionware.stores.sql.SQLStore`'s:
that store is run on the async engine's sync facade, inside SQLAlchemy's own
greenlet bridge (``greenlet_spawn``), so each database round trip is awaited by the
event loop through an asyncio driver (aiosqlite, asyncpg, psycopg's async mode).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

try:
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
    from sqlalchemy.util import greenlet_spawn
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        "AsyncSQLStore needs SQLAlchemy's asyncio support: pip install sessionware[async-sql]"
    ) from exc

from .asyncbase import AsyncStore
from .base import StoreRecord
from .sql import SQLStore

__all__ = ["AsyncSQLStore"]

T = TypeVar("T")


class AsyncSQLStore(AsyncStore):
    """Keeps sessions as rows of one table, awaited; the same rows as ``SQLStore``.

    :param url: an async SQLAlchemy URL: ``sqlite+aiosqlite:///sessions.sqlite3``,
        ``postgresql+psycopg://user@host/db`` (psycopg 3 runs async) or
        ``postgresql+asyncpg://...``. Never logged.
    :param engine: a configured :class:`~sqlalchemy.ext.asyncio.AsyncEngine` instead.
    :param table_name: the table's name.
    :param create_table: create the table on first use if it doesn't exist.
    :param timeout: seconds to wait for a pooled connection.
    :param clock: returns the current Unix time; tests pass a fake clock.
    """

    def __init__(
        self,
        url: str = "sqlite+aiosqlite:///sessions.sqlite3",
        *,
        engine: AsyncEngine | None = None,
        table_name: str = "sessionware_sessions",
        create_table: bool = True,
        timeout: float = 5.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}.")
        if engine is None:
            try:
                parsed = sa.engine.make_url(url)
            except sa.exc.ArgumentError:
                raise ValueError(
                    "url is not a database URL; use e.g. sqlite+aiosqlite:///sessions.sqlite3 "
                    "or postgresql+psycopg://user@host/dbname."
                ) from None
            options: dict[str, Any] = {"hide_parameters": True}
            if parsed.get_backend_name() != "sqlite":
                options.update(pool_timeout=timeout, pool_pre_ping=True)
            try:
                engine = create_async_engine(parsed, **options)
            except sa.exc.InvalidRequestError:
                raise ValueError(
                    f"url names the driver {parsed.drivername!r}, which is not an asyncio "
                    "driver; use sqlite+aiosqlite, postgresql+psycopg or postgresql+asyncpg."
                ) from None
        self.engine = engine
        # The sync store on the async engine's sync facade: usable only under
        # greenlet_spawn, where its driver calls are awaited.
        self.sync = SQLStore(
            engine=engine.sync_engine,
            table_name=table_name,
            create_table=False,
            clock=clock or time.time,
        )
        self._create_table = create_table

    @property
    def table(self) -> sa.Table:
        """The sessions table."""
        return self.sync.table

    @property
    def clock(self) -> Callable[[], float]:
        """The clock expiry is measured with."""
        return self.sync.clock

    def __repr__(self) -> str:
        return f"<AsyncSQLStore {self.engine.url.render_as_string()} table={self.table.name!r}>"

    async def _run(self, method: Callable[..., T], *args: Any) -> T:
        if self._create_table:
            await greenlet_spawn(self._create)
        result: T = await greenlet_spawn(method, *args)
        return result

    def _create(self) -> None:
        with self.sync._errors():
            try:
                self.table.create(self.sync.engine, checkfirst=True)
            except sa.exc.DBAPIError:
                # Another process created it between the check and the CREATE.
                if not sa.inspect(self.sync.engine).has_table(self.table.name):
                    raise
        self._create_table = False

    async def get(self, sid: str) -> StoreRecord | None:
        """Return the live record of ``sid``, or ``None``."""
        return await self._run(self.sync.get, sid)

    async def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        """Compare-and-set the row of ``sid``."""
        return await self._run(self.sync.set, sid, data, ttl, version)

    async def move(self, sid: str, new_sid: str, data: str, ttl: int, version: int) -> int | None:
        """Give the row of ``sid`` the ID ``new_sid`` and ``data``, in one transaction."""
        return await self._run(self.sync.move, sid, new_sid, data, ttl, version)

    async def touch(self, sid: str, ttl: int) -> bool:
        """Move the expiry of ``sid``'s row, keeping its data and version."""
        return await self._run(self.sync.touch, sid, ttl)

    async def delete(self, sid: str) -> None:
        """Remove the row of ``sid``."""
        await self._run(self.sync.delete, sid)

    async def cleanup(self) -> int:
        """Delete expired rows and return how many."""
        return await self._run(self.sync.cleanup)

    async def close(self) -> None:
        """Close the engine's pooled connections."""
        await self.engine.dispose()
