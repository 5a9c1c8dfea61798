"""The server-side package's public surface: what users import and read back."""

from __future__ import annotations

from datetime import timedelta

import pytest

import sessionware
import sessionware.serverside as serverside
from sessionware import MemoryStore
from sessionware.serverside import STORE_ERROR_KEY, ServerSideSessionInterface


def test_the_package_names_are_the_top_level_names() -> None:
    assert ServerSideSessionInterface is sessionware.ServerSideSessionInterface
    assert STORE_ERROR_KEY == sessionware.STORE_ERROR_KEY == "sessionware.store_error"
    assert serverside.ServerSideSession is sessionware.ServerSideSession
    assert serverside.StoreUnavailableSession is sessionware.StoreUnavailableSession
    assert sorted(serverside.__all__) == serverside.__all__


def test_the_interface_reports_the_settings_it_was_built_with() -> None:
    store = MemoryStore()
    interface = ServerSideSessionInterface(
        store, on_store_error="null", touch_interval=timedelta(minutes=2), max_retries=3
    )
    assert interface.store is store
    assert interface.on_store_error == "null"
    assert interface.touch_interval == 120.0
    assert interface.max_retries == 3


@pytest.mark.parametrize("bad", [-0.1, 1.5, True, "0.1", None])
def test_retry_backoff_is_validated(bad: object) -> None:
    with pytest.raises(ValueError, match="retry_backoff must be a number of seconds from 0"):
        ServerSideSessionInterface(MemoryStore(), retry_backoff=bad)  # type: ignore[arg-type]


def test_the_defaults_allow_many_concurrent_writers() -> None:
    interface = ServerSideSessionInterface(MemoryStore())
    assert interface.max_retries == 30
    assert interface.retry_backoff == 0.002
