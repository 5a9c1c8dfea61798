"""Issue 16, item 6: every validating pattern matches the whole value, newline included.

``re.match`` with ``$`` accepts a value that ends in a newline (``$`` matches before a
final ``"\\n"``), and ``\\d`` matches any Unicode digit. Each check below failed on the
code before, and each error names the parameter or the file.
"""

from __future__ import annotations

import argparse
import json
import secrets
from pathlib import Path

import pytest

from sessionware import KeyRing, SessionConfig
from sessionware.cli._keys import parse_duration
from sessionware.config.keyring import Key, KeyRingError

from .conftest import SECRET

HEX = secrets.token_hex(32)


def test_a_key_id_ending_in_a_newline_is_refused() -> None:
    # It would be written into every Set-Cookie of an encrypted cookie, splitting it.
    with pytest.raises(KeyRingError, match=r"key id 'k1\\n' is not allowed"):
        Key("k1\n", HEX, 0)


def test_a_secret_ending_in_a_newline_is_refused_at_load_not_at_the_first_seal() -> None:
    # 63 hex digits and a newline: 64 characters, which passed the length check.
    with pytest.raises(KeyRingError, match=r"key 'k1': the secret must be hex digits"):
        Key("k1", HEX[:63] + "\n", 0)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        pytest.param({"id": "k1\n", "secret": HEX}, r"key id 'k1\\n' is not allowed", id="id"),
        pytest.param(
            {"id": "k1", "secret": HEX[:63] + "\n"},
            "the secret must be hex digits",
            id="secret",
        ),
    ],
)
def test_a_ring_file_with_a_trailing_newline_in_a_key_does_not_load(
    tmp_path: Path, entry: dict[str, str], message: str
) -> None:
    path = tmp_path / "ring.json"
    entry = {**entry, "activates_at": "2020-01-01T00:00:00Z"}
    path.write_text(json.dumps({"keys": [entry]}), encoding="utf-8")
    with pytest.raises(KeyRingError, match=message) as caught:
        KeyRing.from_file(path)
    assert str(path) in str(caught.value)
    with pytest.raises(KeyRingError, match=message):
        SessionConfig(keyring_file=str(path))


@pytest.mark.parametrize("name", ["session\n", "session\r\n", "\nsession"])
def test_a_cookie_name_with_a_newline_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match=r"cookie_name='.*' is not a valid cookie name"):
        SessionConfig(secret_key=SECRET, cookie_name=name)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("\u0663d", id="arabic-indic-three"),
        pytest.param("\uff12d", id="fullwidth-two"),
        pytest.param("2d\n", id="trailing-newline"),
    ],
)
def test_a_duration_is_ascii_digits_only(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="is not a duration"):
        parse_duration(text)


def test_the_cli_names_the_option_of_a_bad_duration(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sessionware.cli import main

    path = str(tmp_path / "ring.json")
    assert main(["keys", "new", path]) == 0
    with pytest.raises(SystemExit) as exited:
        main(["keys", "add", path, "--activate-in", "\u0663d"])
    assert exited.value.code == 2
    assert "--activate-in" in capsys.readouterr().err
    assert len(KeyRing.from_file(path).keys) == 1
