"""SQLStore failures: what a StoreError carries, whatever engine the user passes."""

from __future__ import annotations

import secrets
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from sessionware.stores import StoreError
from sessionware.stores.sql import SQLStore
from tests.stores.test_sql import POSTGRES_URL, postgres_reachable

SID = "secret-session-id-" + "x" * 30
DATA = '{"card":"4111-1111-1111-1111"}'


@pytest.fixture
def pg_engine() -> Iterator[sa.engine.Engine]:
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}; start it to run this test")
    # The user's own engine, built without hide_parameters: SQLAlchemy then puts every
    # statement's parameters (the session ID, the data) into its exception messages.
    engine = sa.create_engine(POSTGRES_URL)
    yield engine
    engine.dispose()


def everything_said(error: BaseException) -> str:
    """All a log line or a server's traceback could print about ``error``."""
    return (
        "".join(traceback.format_exception(error)) + repr(error.__cause__) + repr(error.__context__)
    )


def test_a_failed_statement_on_a_users_engine_leaks_neither_id_nor_data(
    pg_engine: sa.engine.Engine,
) -> None:
    store = SQLStore(engine=pg_engine, table_name=f"sessionware_test_{secrets.token_hex(6)}")
    store.table.drop(pg_engine)  # every statement now fails
    for call in (
        lambda: store.set(SID, DATA, 10, None),
        lambda: store.set(SID, DATA, 10, 3),
        lambda: store.get(SID),
        lambda: store.touch(SID, 10),
        lambda: store.delete(SID),
    ):
        with pytest.raises(StoreError) as caught:
            call()
        said = everything_said(caught.value)
        assert "does not exist" in caught.value.reason
        assert SID not in said
        assert "4111" not in said


def test_a_duplicate_key_on_a_users_engine_is_still_a_refused_create(
    pg_engine: sa.engine.Engine,
) -> None:
    table = f"sessionware_test_{secrets.token_hex(6)}"
    store = SQLStore(engine=pg_engine, table_name=table)
    try:
        assert store.set(SID, DATA, 10, None) == 1
        assert store.set(SID, "{}", 10, None) is None
    finally:
        store.table.drop(pg_engine)


def test_a_driver_message_quoting_a_value_keeps_only_identifiers(tmp_path: Path) -> None:
    store = SQLStore(f"sqlite:///{tmp_path / 's.db'}")
    failure = sa.exc.OperationalError(
        "INSERT ...",
        {"id": SID, "data": DATA},
        Exception(
            f"invalid input for column 'data' of \"{store.table.name}\": '{DATA}'\nDETAIL: {SID}"
        ),
    )
    with pytest.raises(StoreError) as caught, store._errors():
        raise failure
    said = everything_said(caught.value)
    assert SID not in said
    assert "4111" not in said
    assert f"column 'data' of \"{store.table.name}\"" in caught.value.reason
    store.close()
