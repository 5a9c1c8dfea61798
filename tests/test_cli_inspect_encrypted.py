"""``sessionware inspect`` on encrypted cookies, run as an operator runs it."""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from sessionware import EncryptedCookieSessionInterface, Key, KeyRing, SessionConfig
from sessionware.cli import main
from sessionware.cookies._sealing import CookieSealer
from sessionware.testing import session_cookie

from .test_cli_cookies import SECRET, sessionware

DAY = 86400.0


def ring_file(tmp_path: Path, *keys: Key) -> Path:
    path = tmp_path / "keyring.json"
    path.write_text(json.dumps(KeyRing(keys).to_dict()))
    return path


def sealed(data: dict[str, object], config: SessionConfig, at: float | None = None) -> str:
    interface = EncryptedCookieSessionInterface(clock=(lambda: at) if at else None)
    return session_cookie(data, config, interface=interface)


def test_an_encrypted_cookie_is_named_and_decrypted_with_the_ring(tmp_path: Path) -> None:
    now = time.time()
    old, new = Key.generate(now - 2 * DAY, "old"), Key.generate(now - DAY, "new")
    path = ring_file(tmp_path, old, new)
    value = sealed({"user_id": 7}, SessionConfig(keyring=KeyRing([old, new])))
    assert value.startswith("e1.new.")
    secrets = (old.secret, new.secret)
    for result in (
        sessionware("inspect", value, "--keyring-file", str(path)),
        sessionware("inspect", f"session={value}", SESSIONWARE_KEYRING_FILE=str(path)),
    ):
        assert result.returncode == 0, result.stderr
        out = result.stdout
        assert "encrypted sessionware token (format e1, key id 'new')" in out
        assert json.loads(out[out.index("{") : out.index("}") + 1]) == {"user_id": 7}
        assert "encrypted with: the current key" in out
        assert "expired: no" in out
        assert not any(secret in out + result.stderr for secret in secrets)
    # Sealed under the older key a day ago: still read, and said to be re-encrypted.
    older = sealed({"user_id": 7}, SessionConfig(keyring=KeyRing([old])), at=now - DAY)
    result = sessionware("inspect", older, "--keyring-file", str(path))
    assert result.returncode == 0, result.stderr
    assert "key id 'old'" in result.stdout
    assert "an older key, not retired" in result.stdout
    # A day, plus the seconds the command took to start on a busy machine.
    age = re.search(r"age: (\d+) seconds", result.stdout)
    assert age is not None
    assert DAY <= int(age.group(1)) < DAY + 60


def test_the_keyring_file_option_wins_over_the_environment(tmp_path: Path) -> None:
    mine = Key.generate(time.time() - DAY, "mine")
    value = sealed({"n": 1}, SessionConfig(keyring=KeyRing([mine])))
    right = ring_file(tmp_path, mine)
    (tmp_path / "other").mkdir()
    wrong = ring_file(tmp_path / "other", Key.generate(time.time() - DAY, "theirs"))
    result = sessionware(
        "inspect", value, "--keyring-file", str(right), SESSIONWARE_KEYRING_FILE=str(wrong)
    )
    assert result.returncode == 0, result.stderr
    refused = sessionware("inspect", value, SESSIONWARE_KEYRING_FILE=str(wrong))
    assert refused.returncode == 1
    assert "encrypted sessionware token" in refused.stderr
    assert "retired or unknown key" in refused.stderr
    assert refused.stdout == ""


def test_without_the_ring_the_cookie_is_still_said_to_be_encrypted(tmp_path: Path) -> None:
    value = sealed({"n": 1}, SessionConfig(keyring=KeyRing([Key.generate(time.time(), "k1")])))
    with_a_key = sessionware("inspect", value, SESSIONWARE_SECRET_KEY=SECRET)
    assert with_a_key.returncode == 1
    assert "encrypted sessionware token (format e1, key id 'k1')" in with_a_key.stderr
    assert "--keyring-file" in with_a_key.stderr
    without = sessionware("inspect", value)
    assert without.returncode == 2
    assert "encrypted sessionware token" in without.stderr
    assert "no secret key" in without.stderr


def test_a_cookie_encrypted_under_the_secret_key_is_read_with_it() -> None:
    value = sealed({"cart": [1, 2]}, SessionConfig(secret_key=SECRET))
    result = sessionware("inspect", value, SESSIONWARE_SECRET_KEY=SECRET)
    assert result.returncode == 0, result.stderr
    assert '"cart": [' in result.stdout
    assert SECRET not in result.stdout + result.stderr
    # Bound to its cookie name: under another name it does not decrypt.
    moved = sessionware("inspect", f"preview={value}", SESSIONWARE_SECRET_KEY=SECRET)
    assert moved.returncode == 1
    assert "failed authentication" in moved.stderr


def test_an_expired_or_non_object_encrypted_payload_is_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in [var for var in os.environ if var.startswith("SESSIONWARE_")]:
        monkeypatch.delenv(var)  # pragma: no cover - only on a machine that sets them
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    monkeypatch.setenv("SESSIONWARE_PERMANENT_LIFETIME", "3600")
    sealer = CookieSealer(None, SECRET)
    now = time.time()
    assert main(["inspect", sealer.seal(b'{"n": 1}', now - 3601, "session")]) == 1
    out, err = capsys.readouterr()
    assert "expired: yes" in out
    assert "3601 seconds old" in err or "3602 seconds old" in err
    assert main(["inspect", sealer.seal(b"[1, 2]", now, "session")]) == 1
    assert "not a JSON object" in capsys.readouterr().err
    assert main(["inspect", sealer.seal(b"{not json", now, "session")]) == 1
    assert "not tagged JSON" in capsys.readouterr().err
    stranger = CookieSealer(None, "another-" + SECRET).seal(b'{"n": 1}', now, "session")
    assert main(["inspect", stranger]) == 1
    assert "--keyring-file PATH or set SESSIONWARE_KEYRING_FILE" in capsys.readouterr().err


def test_a_signed_cookie_of_an_older_ring_key_is_inspected_with_the_ring(tmp_path: Path) -> None:
    now = time.time()
    old, new = Key.generate(now - 2 * DAY, "old"), Key.generate(now - DAY, "new")
    value = session_cookie({"n": 1}, SessionConfig(keyring=KeyRing([old])))
    result = sessionware("inspect", value, "--keyring-file", str(ring_file(tmp_path, old, new)))
    assert result.returncode == 0, result.stderr
    assert "signed with: an older key, not retired" in result.stdout
    assert old.secret not in result.stdout + result.stderr
