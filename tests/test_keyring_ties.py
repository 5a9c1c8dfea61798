"""Issue 16, item 9: of keys activating in the same second, the one added later writes.

``sessionware keys add FILE --activate-in 0`` in the second the current key activated
gave a key whose activation ties with it; the tie went to the larger random ID, so the
old key stayed current about half the time. The runs below fix the clock and the IDs
(the old key's ID sorts after every ID ``keys`` generates), so they never depend on
chance.
"""

from __future__ import annotations

import itertools
import json
import secrets
from pathlib import Path

import pytest

from sessionware import EncryptedCookieSessionInterface, KeyRing
from sessionware.cli import main
from sessionware.config.keyring import Key, iso

from ._apps import Browser
from .conftest import FakeClock

NOW = 1_700_000_000.0
#: Sorts after every 8-hex-digit ID `keys add` makes: the old rule kept it current.
OLD_ID = "zzzzzzzz"


def ring_file(tmp_path: Path, *key_ids: str) -> str:
    """A ring file whose keys all activate at ``NOW``, in this order."""
    path = tmp_path / "ring.json"
    keys = [
        {"id": key_id, "secret": secrets.token_hex(32), "activates_at": iso(NOW)}
        for key_id in key_ids
    ]
    path.write_text(json.dumps({"keys": keys}), encoding="utf-8")
    return str(path)


def keys(capsys: pytest.CaptureFixture[str], clock: FakeClock, *args: str) -> tuple[int, str]:
    status = main(["keys", *args], clock=clock)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def states(show: str) -> dict[str, str]:
    """Each key's state in ``keys show``'s table."""
    rows = [line.split(None, 3) for line in show.splitlines()[1:]]
    return {row[0]: row[3] for row in rows}


def test_a_key_added_with_activate_in_0_writes_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FakeClock(NOW)
    path = ring_file(tmp_path, OLD_ID)
    status, _ = keys(capsys, clock, "add", path, "--activate-in", "0")
    assert status == 0
    new = KeyRing.from_file(path, now=NOW).keys[1]
    assert new.activates_at == NOW
    status, shown = keys(capsys, clock, "show", path)
    assert status == 0
    assert states(shown) == {new.id: "current (writes and reads)", OLD_ID: "reads"}
    # What `show` says is what the app does: new cookies are encrypted with the new key.
    interface = EncryptedCookieSessionInterface(clock=clock)
    browser = Browser(clock, interface, secret_key=None, keyring_file=path)
    browser.request(lambda s: s.__setitem__("n", 1))
    assert (browser.cookie() or "").startswith(f"e1.{new.id}.")


def test_the_command_the_retire_error_suggests_makes_the_retirement_possible(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FakeClock(NOW)
    path = ring_file(tmp_path, OLD_ID)
    status, error = keys(capsys, clock, "retire", path, OLD_ID)
    assert status == 1
    suggested = f"sessionware keys add {path} --activate-in 0"
    assert suggested in error
    status, _ = keys(capsys, clock, *suggested.split()[2:])
    assert status == 0
    new = KeyRing.from_file(path, now=NOW).keys[1]
    # In the same second: the new key already writes, so the old one can go.
    assert states(keys(capsys, clock, "show", path)[1])[new.id].startswith("current")
    status, _ = keys(capsys, clock, "retire", path, OLD_ID)
    assert status == 0
    clock.advance(1)
    assert states(keys(capsys, clock, "show", path)[1]) == {
        new.id: "current (writes and reads)",
        OLD_ID: "retired",
    }


@pytest.mark.parametrize("ids", list(itertools.permutations(["0", "a", "m", "z", "zz"], 3)))
def test_among_keys_activating_together_the_last_in_the_ring_writes(ids: tuple[str, ...]) -> None:
    ring = KeyRing([Key(key_id, secrets.token_hex(32), NOW) for key_id in ids])
    view = ring.view(NOW)
    assert view.current.id == ids[-1]
    # The others read, the later-added first, as a newer activation would.
    assert [key.id for key in view.ordered] == list(reversed(ids))
