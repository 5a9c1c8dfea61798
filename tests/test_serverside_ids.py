"""Session ID sizes: every size the interface accepts fits every store."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from sessionware import ServerSideSessionInterface, SessionConfig, Store
from sessionware.stores import MemoryStore
from sessionware.stores.sql import SQLStore
from tests.stores.test_sql import POSTGRES_URL, postgres_reachable

from .conftest import SECRET

CONFIG = SessionConfig(secret_key=SECRET)


@pytest.fixture
def postgres_store() -> Iterator[SQLStore]:
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}; start it to run this test")
    store = SQLStore(POSTGRES_URL, table_name=f"sessionware_test_{secrets.token_hex(6)}")
    yield store
    store.table.drop(store.engine)
    store.close()


def interface_with(store: Store, id_bytes: int) -> ServerSideSessionInterface:
    class Sized(ServerSideSessionInterface):
        pass

    Sized.id_bytes = id_bytes
    return Sized(store)


@pytest.mark.parametrize("id_bytes", [16, 32, 64, 96])
def test_the_largest_accepted_ids_fit_the_sql_column(
    postgres_store: SQLStore, id_bytes: int
) -> None:
    interface = interface_with(postgres_store, id_bytes)
    session = interface.open_session(CONFIG, {})
    assert session is not None
    session["user"] = "ada"
    headers: list[tuple[str, str]] = []
    interface.save_session(CONFIG, session, headers)
    cookie = headers[-1][1].split(";")[0].removeprefix("session=")
    again = interface.open_session(CONFIG, {"HTTP_COOKIE": f"session={cookie}"})
    assert again is not None
    assert dict(again) == {"user": "ada"}


@pytest.mark.parametrize("id_bytes", [0, 15, 97, 1000, True, 32.0])
def test_id_bytes_out_of_range_fails_when_the_interface_is_built(id_bytes: object) -> None:
    with pytest.raises(ValueError, match=r"id_bytes must be an int from 16 \(128 bits\) to 96"):
        interface_with(MemoryStore(), id_bytes)  # type: ignore[arg-type]
