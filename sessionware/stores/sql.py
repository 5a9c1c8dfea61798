"""A store in an SQL database through SQLAlchemy Core (SQLite by default)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Any

try:
    import sqlalchemy as sa
    from sqlalchemy.pool import StaticPool
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        "SQLStore needs SQLAlchemy: pip install sessionware[sql] "
        "(or sessionware[postgres] for PostgreSQL)"
    ) from exc

from .base import CorruptRecord, Store, StoreError, StoreRecord

if TYPE_CHECKING:
    from ._users import UserIndex

__all__ = ["SQLStore"]


def _table(name: str) -> sa.Table:
    return sa.Table(
        name,
        sa.MetaData(),
        # 128 characters hold the longest ID the interface issues (id_bytes=96).
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False, index=True),
    )


class SQLStore(Store):
    """Keeps sessions as rows of one table: ID, data, version and an indexed expiry.

    Each write is one ``UPDATE ... WHERE version = :seen`` (or an ``INSERT`` for a new
    session), so concurrent writers cannot overwrite each other unseen. Expired rows
    are ignored when read and deleted by :meth:`cleanup`; run it from a scheduler
    (``sessionware cleanup URL``), or rows pile up.

    :param url: a SQLAlchemy database URL, e.g. ``sqlite:///sessions.sqlite3`` or
        ``postgresql+psycopg://user@host/db``. It may hold a password and is never
        logged. Ignored when ``engine`` is given.
    :param engine: a configured :class:`sqlalchemy.engine.Engine` to use instead.
    :param table_name: the table's name.
    :param create_table: create the table and its index if they don't exist.
    :param timeout: seconds to wait for a connection from the pool.
    :param clock: returns the current Unix time; tests pass a fake clock.
    """

    def _new_user_index(self) -> UserIndex:
        from .sql_users import SQLUserIndex

        return SQLUserIndex(self)

    def __init__(
        self,
        url: str = "sqlite:///sessions.sqlite3",
        *,
        engine: sa.engine.Engine | None = None,
        table_name: str = "sessionware_sessions",
        create_table: bool = True,
        timeout: float = 5.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}.")
        made_here = engine is None
        if engine is None:
            engine = _make_engine(url, timeout)
        self.engine = engine
        self.table = _table(table_name)
        self.clock: Callable[[], float] = clock or time.time
        # Quoted names a driver's message may keep: they say which object failed.
        self._identifiers = frozenset(
            [table_name, *self.table.c.keys(), *(str(index.name) for index in self.table.indexes)]
        )
        if create_table:
            try:
                with self._errors():
                    try:
                        self.table.create(engine, checkfirst=True)
                    except sa.exc.DBAPIError:
                        # Another process created it between the check and the CREATE.
                        if not sa.inspect(engine).has_table(table_name):
                            raise
            except StoreError:
                # No store comes back to close it: the engine made from url goes with it.
                if made_here:
                    engine.dispose()
                raise

    def __repr__(self) -> str:
        return f"<SQLStore {self.engine.url.render_as_string()} table={self.table.name!r}>"

    def get(self, sid: str) -> StoreRecord | None:
        """Return the live record of ``sid``, or ``None``."""
        t = self.table
        data: sa.ColumnElement[Any] = t.c.data
        if self.engine.dialect.name == "sqlite":
            # SQLite stores any bytes as TEXT, and its driver fails on (and quotes in
            # its message) text that is not UTF-8: read bytes and decode them here.
            data = sa.cast(t.c.data, sa.LargeBinary).label("data")
        query = sa.select(data, t.c.version).where(t.c.id == sid, t.c.expires_at > self.clock())
        with self._errors(), self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _record(row.data, row.version)

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        """Compare-and-set the row of ``sid`` (see :meth:`Store.set`)."""
        t = self.table
        now = self.clock()
        if version is not None:
            query = (
                t.update()
                .where(t.c.id == sid, t.c.version == version, t.c.expires_at > now)
                .values(data=data, version=version + 1, expires_at=now + ttl)
            )
            with self._errors(), self.engine.begin() as conn:
                return version + 1 if conn.execute(query).rowcount == 1 else None
        with self._errors():
            try:
                with self.engine.begin() as conn:
                    # An expired row may hold the ID until cleanup runs: replace it.
                    conn.execute(t.delete().where(t.c.id == sid, t.c.expires_at <= now))
                    conn.execute(
                        t.insert().values(id=sid, data=data, version=1, expires_at=now + ttl)
                    )
            except sa.exc.IntegrityError:
                return None  # a live row holds the ID
        return 1

    def move(self, sid: str, new_sid: str, data: str, ttl: int, version: int) -> int | None:
        """Give the row of ``sid`` the ID ``new_sid`` and ``data``, in one transaction.

        One ``UPDATE`` of the primary key, conditional on the version (see
        :meth:`Store.move`): a concurrent ``DELETE`` or write of the row is ordered
        before or after it by the database's row lock, never between.
        """
        t = self.table
        now = self.clock()
        query = (
            t.update()
            .where(t.c.id == sid, t.c.version == version, t.c.expires_at > now)
            .values(id=new_sid, data=data, version=version + 1, expires_at=now + ttl)
        )
        with self._errors():
            try:
                with self.engine.begin() as conn:
                    # An expired row may hold the new ID until cleanup runs: replace it.
                    conn.execute(t.delete().where(t.c.id == new_sid, t.c.expires_at <= now))
                    moved = conn.execute(query).rowcount == 1
            except sa.exc.IntegrityError:
                return None  # a live row holds the new ID
        return version + 1 if moved else None

    def touch(self, sid: str, ttl: int) -> bool:
        """Move the expiry of ``sid``'s row, keeping its data and version."""
        t = self.table
        now = self.clock()
        query = t.update().where(t.c.id == sid, t.c.expires_at > now).values(expires_at=now + ttl)
        with self._errors(), self.engine.begin() as conn:
            return conn.execute(query).rowcount == 1

    def delete(self, sid: str) -> None:
        """Remove the row of ``sid``."""
        with self._errors(), self.engine.begin() as conn:
            conn.execute(self.table.delete().where(self.table.c.id == sid))

    def cleanup(self) -> int:
        """Delete expired rows (one indexed ``DELETE``) and return how many."""
        query = self.table.delete().where(self.table.c.expires_at <= self.clock())
        with self._errors(), self.engine.begin() as conn:
            return conn.execute(query).rowcount

    def close(self) -> None:
        """Close the engine's pooled connections."""
        self.engine.dispose()

    def _errors(self) -> _StoreErrors:
        return _StoreErrors(self._identifiers)


def _make_engine(url: str, timeout: float) -> sa.engine.Engine:
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise ValueError(
            "url is not a database URL; use e.g. sqlite:///sessions.sqlite3 or "
            "postgresql+psycopg://user@host/dbname."
        ) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            # One shared connection, or every thread would see its own empty database.
            return sa.create_engine(
                parsed,
                poolclass=StaticPool,
                connect_args={"check_same_thread": False},
                hide_parameters=True,
            )
        return sa.create_engine(parsed, connect_args={"timeout": timeout}, hide_parameters=True)
    return sa.create_engine(parsed, pool_timeout=timeout, pool_pre_ping=True, hide_parameters=True)


def _record(data: object, version: object) -> StoreRecord:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise CorruptRecord("SQL: the row's data is not UTF-8 text") from None
    if not isinstance(data, str):
        raise CorruptRecord("SQL: the row's data is not text")
    if isinstance(version, bool) or not isinstance(version, int):
        raise CorruptRecord("SQL: the row's version is not an integer")
    return StoreRecord(data, version)


class _StoreErrors:
    """Turns SQLAlchemy's exceptions into a :class:`StoreError` that carries no data.

    SQLAlchemy puts a statement's parameters (the session ID and data) into its
    exception's message unless the engine has ``hide_parameters``, and an engine the
    user passes may not. So the StoreError is neither chained to it (``__cause__``)
    nor left in its ``__context__``, and keeps only the first line of the driver's
    own message, with quoted text other than this table's names redacted.
    """

    def __init__(self, identifiers: frozenset[str]) -> None:
        self.identifiers = identifiers

    def __enter__(self) -> _StoreErrors:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if not isinstance(exc, sa.exc.SQLAlchemyError):
            return
        cause = getattr(exc, "orig", None) or exc
        lines = str(cause).strip().splitlines()
        reason = _QUOTED.sub(self._redact, lines[0]) if lines else ""
        error = StoreError(f"SQL: {type(cause).__name__}: {reason}")
        try:
            raise error
        finally:
            # Raised while SQLAlchemy's exception is being handled, the error would
            # keep it as its context, and a logged traceback would print it.
            error.__context__ = None

    def _redact(self, match: re.Match[str]) -> str:
        quoted = match.group(2)
        return (
            match.group(0) if quoted in self.identifiers else f"{match.group(1)}...{match.group(1)}"
        )


_QUOTED = re.compile(r"""(['"])(.*?)\1""")
