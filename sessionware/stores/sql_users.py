"""The user index of :class:`~sessionware.stores.sql.SQLStore`: two more tables.

``<table>_users`` holds one row per (user, handle) with the session ID and info;
``<table>_not_before`` one row per user. They are created on first use when the
store creates its own table. Revocation deletes a user's index rows and their
session rows in one transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from ._users import IndexEntry, UserIndex

if TYPE_CHECKING:
    from .sql import SQLStore

__all__ = ["SQLUserIndex"]


def _tables(name: str) -> tuple[sa.Table, sa.Table]:
    meta = sa.MetaData()
    users = sa.Table(
        f"{name}_users",
        meta,
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("handle", sa.String(64), primary_key=True),
        sa.Column("sid", sa.String(255), nullable=False),
        sa.Column("info", sa.Text, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    not_before = sa.Table(
        f"{name}_not_before",
        meta,
        sa.Column("user_id", sa.String(255), primary_key=True),
        sa.Column("not_before", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
    )
    return users, not_before


class SQLUserIndex(UserIndex):
    """Each user's sessions as rows beside the store's session table."""

    def __init__(self, store: SQLStore) -> None:
        self.store = store
        self.users, self.not_before_table = _tables(store.table.name)
        with store._errors():
            for table in (self.users, self.not_before_table):
                try:
                    table.create(store.engine, checkfirst=True)
                except sa.exc.DBAPIError:
                    # Another process created it between the check and the CREATE.
                    if not sa.inspect(store.engine).has_table(table.name):
                        raise

    def put(self, user: str, entry: IndexEntry, ttl: int) -> None:
        """Add or replace ``entry`` in ``user``'s rows."""
        u = self.users
        expires = self.store.clock() + ttl
        row = {"user_id": user, "handle": entry.handle, "sid": entry.sid, "info": entry.info}
        with self.store._errors():
            try:
                with self.store.engine.begin() as conn:
                    # Drop this user's entries past their own expiry, and this one's old row.
                    stale = (u.c.handle == entry.handle) | (u.c.expires_at <= self.store.clock())
                    conn.execute(u.delete().where(u.c.user_id == user, stale))
                    conn.execute(u.insert().values(**row, expires_at=expires))
            except sa.exc.IntegrityError:
                pass  # a concurrent request of the same session put the same entry

    def entries(self, user: str) -> list[IndexEntry]:
        """The entries of ``user`` whose session rows are live."""
        u, t = self.users, self.store.table
        query = (
            sa.select(u.c.handle, u.c.sid, u.c.info)
            .join(t, t.c.id == u.c.sid)
            .where(u.c.user_id == user, t.c.expires_at > self.store.clock())
            .order_by(u.c.handle)
        )
        with self.store._errors(), self.store.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [IndexEntry(row.handle, row.sid, row.info) for row in rows]

    def remove(self, user: str, handle: str) -> None:
        """Remove the entry ``handle`` of ``user``."""
        u = self.users
        with self.store._errors(), self.store.engine.begin() as conn:
            conn.execute(u.delete().where(u.c.user_id == user, u.c.handle == handle))

    def _end(self, user: str, condition: sa.ColumnElement[bool]) -> list[IndexEntry]:
        u, t = self.users, self.store.table
        select = sa.select(u.c.handle, u.c.sid, u.c.info).where(u.c.user_id == user, condition)
        with self.store._errors(), self.store.engine.begin() as conn:
            if conn.dialect.name != "sqlite":  # SQLite locks the whole database anyway
                select = select.with_for_update()
            rows = conn.execute(select).all()
            if rows:
                handles = [row.handle for row in rows]
                conn.execute(u.delete().where(u.c.user_id == user, u.c.handle.in_(handles)))
                ended = t.delete().where(t.c.id.in_([row.sid for row in rows]))
                conn.execute(ended)
                # Again, in a statement of its own: under READ COMMITTED it sees a record
                # that a regenerate() committed meanwhile under its already listed new ID.
                conn.execute(ended)
        return [IndexEntry(row.handle, row.sid, row.info) for row in rows]

    def revoke(self, user: str, keep: str | None = None) -> list[IndexEntry]:
        """Delete ``user``'s rows but ``keep`` and their sessions, in one transaction."""
        u = self.users
        return self._end(user, sa.true() if keep is None else u.c.handle != keep)

    def revoke_one(self, user: str, handle: str) -> IndexEntry | None:
        """End the session ``handle`` of ``user``."""
        ended = self._end(user, self.users.c.handle == handle)
        return ended[0] if ended else None

    def not_before(self, user: str) -> int | None:
        """``user``'s "not before" time, if set and kept."""
        n = self.not_before_table
        query = sa.select(n.c.not_before).where(
            n.c.user_id == user, n.c.expires_at > self.store.clock()
        )
        with self.store._errors(), self.store.engine.connect() as conn:
            value = conn.execute(query).scalar()
        return None if value is None else int(value)

    def set_not_before(self, user: str, when: int, ttl: int) -> None:
        """Raise ``user``'s "not before" time to ``when``, kept ``ttl`` seconds."""
        n = self.not_before_table
        expires = self.store.clock() + ttl
        for _ in range(3):
            with self.store._errors():
                try:
                    with self.store.engine.begin() as conn:
                        current = conn.execute(
                            sa.select(n.c.not_before).where(n.c.user_id == user)
                        ).scalar()
                        if current is None:
                            conn.execute(
                                n.insert().values(user_id=user, not_before=when, expires_at=expires)
                            )
                        else:
                            conn.execute(
                                n.update()
                                .where(n.c.user_id == user)
                                .values(
                                    not_before=sa.func.max(n.c.not_before, when)
                                    if conn.dialect.name == "sqlite"
                                    else sa.func.greatest(n.c.not_before, when),
                                    expires_at=expires,
                                )
                            )
                    return
                except sa.exc.IntegrityError:
                    continue  # another process inserted the row first: update it
