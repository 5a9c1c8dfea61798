"""``sessionware keys``: the operators' commands, run as the console script is."""

from __future__ import annotations

import argparse
import json
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sessionware import KeyRing, SessionConfig
from sessionware.cli._keys import parse_duration
from sessionware.config.keyring import iso

from ._servers import BIN, clean_env


def keys(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "sessionware"), "keys", *map(str, args)],
        capture_output=True,
        text=True,
        env=clean_env(),
    )


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_add_retire_show(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    created = keys("new", path)
    assert created.returncode == 0, created.stderr
    assert mode(path) == 0o600
    ring = KeyRing.from_file(path)
    (first,) = ring.keys
    assert first.activates_at <= time.time()
    assert first.id in created.stdout
    assert first.secret not in created.stdout

    added = keys("add", path, "--activate-in", "2d")
    assert added.returncode == 0, added.stderr
    assert mode(path) == 0o600
    ring = KeyRing.from_file(path)
    second = ring.keys[1]
    assert abs(second.activates_at - (time.time() + 2 * 86400)) < 120
    # Not yet active: the first key still writes, the second already reads.
    view = ring.view(time.time())
    assert view.current.id == first.id
    assert second.id in view.readers

    shown = keys("show", path)
    assert shown.returncode == 0, shown.stderr
    assert f"{first.id}" in shown.stdout
    assert "current" in shown.stdout
    assert "pending" in shown.stdout
    for key in ring.keys:
        assert key.secret not in shown.stdout

    # The active key cannot be retired while it is the only one that is active.
    refused = keys("retire", path, first.id)
    assert refused.returncode == 1
    assert "no active key" in refused.stderr
    assert KeyRing.from_file(path).keys == ring.keys

    # Retire the first key as it is in practice, after it has served a while: one
    # retired within its activation second retires a second later (see
    # test_a_key_retired_the_second_it_activates_leaves_a_valid_file), so, had these
    # commands all run within that second, `show` below would still call it current.
    document = json.loads(path.read_text())
    document["keys"][0]["activates_at"] = iso(first.activates_at - 3600)
    path.write_text(json.dumps(document))
    assert keys("add", path, "--activate-in", "0").returncode == 0
    retired = keys("retire", path, first.id)
    assert retired.returncode == 0, retired.stderr
    ring = KeyRing.from_file(path)
    assert ring.keys[0].retires_at is not None
    assert first.id not in ring.view(time.time() + 1).readers
    assert "retired" in keys("show", path).stdout
    # No temporary files are left beside the ring.
    assert [p.name for p in tmp_path.iterdir()] == ["ring.json"]
    assert SessionConfig(keyring_file=path).keyring is not None


def test_retiring_later(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    keys("new", path)
    keys("add", path, "--activate-in", "1h")
    first = KeyRing.from_file(path).keys[0]
    result = keys("retire", path, first.id, "--in", "31d")
    assert result.returncode == 0, result.stderr
    retires = KeyRing.from_file(path).keys[0].retires_at
    assert retires is not None
    assert abs(retires - (time.time() + 31 * 86400)) < 120
    assert "reads" in keys("show", path).stdout


def test_errors_name_the_file_and_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    missing = keys("show", path)
    assert missing.returncode == 1
    assert str(path) in missing.stderr
    assert "sessionware keys new" in missing.stderr
    keys("new", path)
    again = keys("new", path)
    assert again.returncode == 1
    assert "exists already" in again.stderr
    unknown = keys("retire", path, "nope")
    assert unknown.returncode == 1
    assert "has no key 'nope'" in unknown.stderr
    path.write_text(json.dumps({"keys": []}))
    empty = keys("add", path)
    assert empty.returncode == 1
    assert "holds no keys" in empty.stderr
    bad = keys("add", path, "--activate-in", "soon")
    assert bad.returncode == 2
    assert "is not a duration" in bad.stderr


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "ring.json"
    keys("new", path)
    before = path.read_text()
    code = (
        "import json, sys\n"
        "from sessionware.cli import main\n"
        "def fail(*a, **k): raise OSError('disk full')\n"
        "json.dump = fail\n"
        "try:\n    main(['keys', 'add', sys.argv[1]])\n"
        "except OSError as exc:\n    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    assert "disk full" in result.stdout
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ring.json"]


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("0", 0),
        ("90s", 90),
        ("45", 45),
        ("12h", 43200),
        ("2d", 172800),
        ("1w", 604800),
        ("1d12h", 129600),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "2 days", "d", "-1d", "1y"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="is not a duration"):
        parse_duration(text)


def test_the_same_commands_in_process(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sessionware.cli import main

    path = str(tmp_path / "ring.json")
    assert main(["keys", "new", path]) == 0
    assert main(["keys", "add", path, "--activate-in", "0"]) == 0
    first = KeyRing.from_file(path).keys[0]
    assert main(["keys", "retire", path, first.id, "--in", "1h"]) == 0
    assert main(["keys", "show", path]) == 0
    out = capsys.readouterr().out
    assert "current (writes and reads)" in out
    assert "reads" in out
    assert main(["keys", "retire", path, "missing"]) == 1
    assert "has no key 'missing'" in capsys.readouterr().err
    assert mode(Path(path)) == 0o600


def test_a_key_retired_the_second_it_activates_leaves_a_valid_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sessionware.cli import main

    path = str(tmp_path / "ring.json")
    assert main(["keys", "new", path]) == 0
    assert main(["keys", "add", path, "--activate-in", "1h"]) == 0
    pending = KeyRing.from_file(path).keys[1]
    # Retiring a key that has not activated yet: it retires a second after activation.
    assert main(["keys", "retire", path, pending.id]) == 0
    loaded = KeyRing.from_file(path).keys[1]
    assert loaded.retires_at == pending.activates_at + 1
    capsys.readouterr()
