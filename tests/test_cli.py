"""The ``sessionware cleanup`` console script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sessionware.cli import main
from sessionware.stores.sql import SQLStore
from tests.conftest import FakeClock

# A store object for the module:name form; its clock is moved by the tests.
CLOCK = FakeClock()
STORE = SQLStore("sqlite://", clock=CLOCK)


def fill(store: SQLStore, clock: FakeClock) -> None:
    store.set("old1", "{}", 10, None)
    store.set("old2", "{}", 10, None)
    store.set("live", "{}", 10_000, None)
    clock.advance(3600)


def test_cleanup_by_url_deletes_expired_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    clock = FakeClock(0)  # long ago: everything it writes has expired by now
    store = SQLStore(url, clock=clock)
    store.set("old", "{}", 10, None)
    assert main(["cleanup", url]) == 0
    assert capsys.readouterr().out == "Deleted 1 expired session.\n"
    assert main(["cleanup", url]) == 0
    assert capsys.readouterr().out == "Deleted 0 expired sessions.\n"
    store.close()


def test_cleanup_by_store_object(capsys: pytest.CaptureFixture[str]) -> None:
    fill(STORE, CLOCK)
    assert main(["cleanup", "tests.test_cli:STORE"]) == 0
    assert capsys.readouterr().out == "Deleted 2 expired sessions.\n"


def test_a_store_error_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cleanup", f"sqlite:///{tmp_path / 'empty.db'}", "--table", "nope"]) == 1
    assert "no such table: nope" in capsys.readouterr().err


def test_a_database_without_the_table_is_named_and_no_sqlite_file_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "typo.sqlite3"
    assert main(["cleanup", f"sqlite:///{missing}"]) == 1
    err = capsys.readouterr().err
    assert "has no 'sessionware_sessions' table" in err
    assert "check the URL and --table" in err
    assert "on_store_error" not in err  # a request-serving setting: no help here
    assert not missing.exists()
    # An existing database whose app never started: the same words, the file untouched.
    SQLStore(f"sqlite:///{tmp_path / 'other.db'}", table_name="other").close()
    assert main(["cleanup", f"sqlite:///{tmp_path / 'other.db'}"]) == 1
    assert "has no 'sessionware_sessions' table" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("target", "message"),
    [
        pytest.param("sessions.db", "neither a database URL nor module:name", id="plain"),
        pytest.param("no_such_module:store", "cannot load", id="module"),
        pytest.param("tests.test_cli:MISSING", "cannot load", id="attribute"),
        pytest.param("tests.test_cli:CLOCK", "is a FakeClock, not a sessionware store", id="type"),
    ],
)
def test_bad_targets_are_usage_errors(
    target: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["cleanup", target])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_the_console_script_is_installed(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "sessionware"
    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    SQLStore(url).close()
    result = subprocess.run([script, "cleanup", url], capture_output=True, text=True, check=True)
    assert result.stdout == "Deleted 0 expired sessions.\n"
