"""SQLStore on SQLite and on the PostgreSQL server this machine runs."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from sessionware.stores import Store, StoreError
from sessionware.stores import sql as sql_module
from sessionware.stores.sql import SQLStore
from tests.conftest import FakeClock
from tests.stores.contract import StoreContract

POSTGRES_URL = os.environ.get(
    "SESSIONWARE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_reachable() -> bool:
    engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return True
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()


class SQLContract(StoreContract):
    def expire(self, store: Store, sid: str) -> None:
        assert isinstance(store, SQLStore)
        t = store.table
        with store.engine.begin() as conn:
            conn.execute(t.update().where(t.c.id == sid).values(expires_at=store.clock()))

    def ttl_of(self, store: Store, sid: str) -> float:
        assert isinstance(store, SQLStore)
        t = store.table
        with store.engine.connect() as conn:
            expires_at = conn.execute(sa.select(t.c.expires_at).where(t.c.id == sid)).scalar_one()
        return float(expires_at) - store.clock()


class TestSQLiteStore(SQLContract):
    @pytest.fixture
    def store(self, tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
        store = SQLStore(f"sqlite:///{tmp_path / 'sessions.db'}", clock=clock)
        yield store
        store.close()


@pytest.fixture(scope="module")
def postgres_url() -> str:
    if not postgres_reachable():
        pytest.skip(
            f"PostgreSQL is not reachable at {POSTGRES_URL}; start it or point "
            "SESSIONWARE_TEST_POSTGRES_URL at a database to run these tests"
        )
    return POSTGRES_URL


class TestPostgreSQLStore(SQLContract):
    @pytest.fixture
    def store(self, postgres_url: str, clock: FakeClock) -> Iterator[Store]:
        # A table of its own, so concurrent runs don't meet.
        store = SQLStore(
            postgres_url, table_name=f"sessionware_test_{secrets.token_hex(6)}", clock=clock
        )
        yield store
        store.table.drop(store.engine)
        store.close()


def test_records_expire_with_the_clock(tmp_path: Path, clock: FakeClock) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 's.db'}", clock=clock)
    store.set("s1", "one", 100, None)
    clock.advance(99)
    assert store.get("s1") is not None
    clock.advance(1)
    assert store.get("s1") is None
    store.close()


def test_cleanup_deletes_only_expired_rows(tmp_path: Path, clock: FakeClock) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 's.db'}", clock=clock)
    store.set("old1", "x", 10, None)
    store.set("old2", "x", 10, None)
    store.set("live", "x", 1000, None)
    clock.advance(10)
    assert store.cleanup() == 2
    with store.engine.connect() as conn:
        ids = conn.execute(sa.select(store.table.c.id)).scalars().all()
    assert ids == ["live"]
    store.close()


def test_expiry_is_indexed(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 's.db'}", table_name="my_sessions")
    indexes = sa.inspect(store.engine).get_indexes("my_sessions")
    assert [index["column_names"] for index in indexes] == [["expires_at"]]
    store.close()


def test_in_memory_sqlite_is_shared_by_threads() -> None:
    import threading

    store = SQLStore("sqlite://")
    store.set("s1", "one", 100, None)
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(store.get("s1")))
    thread.start()
    thread.join()
    assert seen == [store.get("s1")]
    store.close()


def test_an_existing_table_is_reused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    first = SQLStore(url)
    first.set("s1", "one", 100, None)
    second = SQLStore(url)
    assert second.get("s1") is not None
    first.close()
    second.close()


def test_an_engine_can_be_given(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 's.db'}")
    store = SQLStore(engine=engine)
    assert store.engine is engine
    store.set("s1", "x", 10, None)
    assert store.get("s1") is not None
    store.close()


def test_a_table_created_meanwhile_by_another_process_is_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    create = sa.Table.create

    def racing_create(table: sa.Table, bind: sa.engine.Engine, checkfirst: bool = True) -> None:
        create(table, bind)  # the other process wins the race...
        create(table, bind)  # ...so our CREATE TABLE fails

    monkeypatch.setattr(sa.Table, "create", racing_create)
    store = SQLStore(url)
    store.set("s1", "x", 10, None)
    assert store.get("s1") is not None
    store.close()


def test_a_table_that_cannot_be_created_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_create(table: sa.Table, bind: sa.engine.Engine, checkfirst: bool = True) -> None:
        raise sa.exc.OperationalError("CREATE TABLE", {}, Exception("disk I/O error"))

    made: list[sa.engine.Engine] = []

    def make_engine(url: str, timeout: float) -> sa.engine.Engine:
        made.append(real_make_engine(url, timeout))
        return made[-1]

    real_make_engine = sql_module._make_engine
    monkeypatch.setattr(sa.Table, "create", failing_create)
    monkeypatch.setattr(sql_module, "_make_engine", make_engine)
    with pytest.raises(StoreError, match="disk I/O error"):
        SQLStore(f"sqlite:///{tmp_path / 's.db'}")
    # No store came back to close: the engine it made holds no connection (Python 3.13
    # warns of an unclosed sqlite3 connection when one is collected).
    [engine] = made
    assert isinstance(engine.pool, sa.pool.QueuePool)
    assert engine.pool.checkedin() == 0


def test_without_create_table_a_missing_table_is_a_store_error(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 's.db'}", create_table=False)
    with pytest.raises(StoreError, match="no such table"):
        store.get("s1")
    store.close()


def test_failures_name_neither_parameters_nor_password(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 's.db'}")
    store.table.drop(store.engine)
    with pytest.raises(StoreError) as caught:
        store.set("secret-session-id", '{"card":"4111"}', 10, None)
    assert "secret-session-id" not in str(caught.value)
    assert "4111" not in str(caught.value)
    store.close()
    pg = SQLStore("postgresql+psycopg://user:hunter2@127.0.0.1:1/db", create_table=False, timeout=1)
    assert "hunter2" not in repr(pg)
    with pytest.raises(StoreError) as refused:
        pg.get("s1")
    assert "hunter2" not in str(refused.value)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"timeout": 0}, "timeout must be a positive number", id="timeout"),
        pytest.param({"url": "not a url"}, "url is not a database URL", id="url"),
    ],
)
def test_settings_are_validated(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SQLStore(**kwargs)  # type: ignore[arg-type]
