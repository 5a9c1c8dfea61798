"""``sessionware gen-key``, ``sign`` and ``inspect``, run as an operator runs them.

The console script runs as a subprocess; the in-process ``main()`` calls cover the
remaining branches (cookies signed at a chosen time, misconfigurations) faster.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import Client

from sessionware import (
    EncryptedCookieSessionInterface,
    SecureCookieSessionInterface,
    SessionConfig,
    SessionMiddleware,
)
from sessionware.cli import main
from sessionware.testing import read_session, session_cookie
from sessionware.wsgi.middleware import StartResponse

SECRET = "cli-cookie-secret-that-is-long-enough-too"
OLD = "cli-cookie-old-secret-that-is-long-enough"
SCRIPT = Path(sys.executable).parent / "sessionware"


def sessionware(
    *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run the console script with only these SESSIONWARE_* variables."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SESSIONWARE_")}
    environ.update(env)
    return subprocess.run(
        [SCRIPT, *args], capture_output=True, text=True, env=environ, input=stdin, timeout=60
    )


@pytest.fixture
def only_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The in-process runs see no SESSIONWARE_* variable but those a test sets."""
    for var in [var for var in os.environ if var.startswith("SESSIONWARE_")]:
        monkeypatch.delenv(var)  # pragma: no cover - only on a machine that sets them
    return monkeypatch


def test_gen_key_prints_a_fresh_hex_key_of_32_bytes() -> None:
    first, second = sessionware("gen-key"), sessionware("gen-key")
    assert first.returncode == second.returncode == 0
    key = first.stdout.strip()
    assert len(bytes.fromhex(key)) == 32
    assert key != second.stdout.strip()
    longer = sessionware("gen-key", "--bytes", "48")
    assert len(bytes.fromhex(longer.stdout.strip())) == 48
    too_few = sessionware("gen-key", "--bytes", "16")
    assert too_few.returncode == 2
    assert "at least 32" in too_few.stderr


@pytest.mark.parametrize("command", ["gen-key", "sign", "inspect"])
def test_every_command_explains_itself(command: str) -> None:
    result = sessionware(command, "--help")
    assert result.returncode == 0
    assert f"usage: sessionware {command}" in result.stdout
    if command != "gen-key":
        assert "SESSIONWARE_SECRET_KEY" in result.stdout
        assert "--key-file" in result.stdout


def test_a_signed_cookie_is_accepted_by_an_app_and_inspected() -> None:
    signed = sessionware("sign", '{"user_id": 42}', SESSIONWARE_SECRET_KEY=SECRET)
    assert signed.returncode == 0, signed.stderr
    value = signed.stdout.strip()
    assert SECRET not in signed.stdout + signed.stderr

    def echo(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(dict(environ["session"])).encode()]

    client = Client(SessionMiddleware(echo, secret_key=SECRET))
    client.set_cookie("session", value)
    assert client.get("/").json == {"user_id": 42}

    inspected = sessionware("inspect", value, SESSIONWARE_SECRET_KEY=SECRET)
    assert inspected.returncode == 0, inspected.stderr
    out = inspected.stdout
    assert json.loads(out[: out.index("}") + 1]) == {"user_id": 42}
    assert "signed with: the current key" in out
    assert "expired: no" in out
    assert "age: 0 seconds" in out or "age: 1 seconds" in out
    assert SECRET not in out + inspected.stderr


def test_an_app_cookie_is_inspected_from_a_key_file_and_stdin(tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(SECRET + "\n")
    config = SessionConfig(secret_key=SECRET)
    value = session_cookie({"cart": [1, 2]}, config)
    result = sessionware("inspect", "-", "--key-file", str(key_file), stdin=f"session={value}\n")
    assert result.returncode == 0, result.stderr
    assert '"cart": [' in result.stdout
    # --key-file wins over a wrong key in the environment.
    again = sessionware(
        "inspect", value, "--key-file", str(key_file), SESSIONWARE_SECRET_KEY="w" * 40
    )
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        pytest.param(
            lambda v: v[:-2] + ("AA" if v[-2:] != "AA" else "BB"),
            "does not match any",
            id="tampered",
        ),
        pytest.param(lambda v: "not a cookie", "no signature", id="garbled"),
        pytest.param(lambda v: "Zoë.x.y", "not ASCII", id="not-ascii"),
    ],
)
def test_a_bad_cookie_says_why_and_exits_1(mangle: Callable[[str], str], reason: str) -> None:
    value = session_cookie({"user_id": 1}, SessionConfig(secret_key=SECRET))
    result = sessionware("inspect", mangle(value), SESSIONWARE_SECRET_KEY=SECRET)
    assert result.returncode == 1
    assert reason in result.stderr
    assert result.stdout == ""
    assert SECRET not in result.stderr


def test_an_expired_cookie_is_shown_and_refused() -> None:
    config = SessionConfig(secret_key=SECRET)
    old = SecureCookieSessionInterface(clock=lambda: time.time() - 7200)
    value = session_cookie({"user_id": 3}, config, interface=old)
    result = sessionware(
        "inspect", value, SESSIONWARE_SECRET_KEY=SECRET, SESSIONWARE_PERMANENT_LIFETIME="3600"
    )
    assert result.returncode == 1
    assert "expired: yes" in result.stdout
    assert '"user_id": 3' in result.stdout
    assert "older than the lifetime of 3600 seconds" in result.stderr


def test_a_cookie_signed_with_a_fallback_key_says_so(
    only_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    value = session_cookie({"user_id": 4}, SessionConfig(secret_key=OLD))
    only_env.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    only_env.setenv("SESSIONWARE_SECRET_KEY_FALLBACKS", OLD)
    assert main(["inspect", value]) == 0
    assert "signed with: fallback key 1 of 1 (oldest first)" in capsys.readouterr().out


def test_a_cookie_from_the_future_is_refused(
    only_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    ahead = SecureCookieSessionInterface(clock=lambda: time.time() + 3600)
    value = session_cookie({"user_id": 5}, SessionConfig(secret_key=SECRET), interface=ahead)
    only_env.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    assert main(["inspect", value]) == 1
    assert "refused" in capsys.readouterr().err


def test_a_signed_payload_that_is_no_session_is_refused(
    only_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = SessionConfig(secret_key=SECRET)
    signer = SecureCookieSessionInterface()._signer(config)
    assert signer is not None
    only_env.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    now = int(time.time())
    assert main(["inspect", signer.dumps(b"[1, 2]", now)]) == 1
    assert "not a JSON object" in capsys.readouterr().err
    assert main(["inspect", signer.dumps(b"{not json", now)]) == 1
    assert "not tagged JSON" in capsys.readouterr().err


def test_inspect_takes_the_interface_options_in_process(
    only_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    only_env.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    config = SessionConfig(secret_key=SECRET)
    sealed = session_cookie(
        {"n": 1}, config, interface=EncryptedCookieSessionInterface(purpose="admin")
    )
    assert main(["inspect", sealed]) == 1
    assert "pass --purpose NAME" in capsys.readouterr().err
    assert main(["inspect", sealed, "--purpose", "admin"]) == 0
    signed = session_cookie(
        {"n": 1}, config, interface=SecureCookieSessionInterface(digest_method="sha512")
    )
    assert main(["inspect", signed]) == 1
    assert "pass --salt SALT and --digest-method NAME" in capsys.readouterr().err
    assert main(["inspect", signed, "--digest-method", "sha512"]) == 0
    for wrong in (["--purpose", ""], ["--salt", ""], ["--digest-method", "nope"]):
        with pytest.raises(SystemExit) as exited:
            main(["inspect", signed, *wrong])
        assert exited.value.code == 2
        assert f"argument {wrong[0]}:" in capsys.readouterr().err


def test_sign_and_the_notes_in_process(
    only_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    only_env.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    assert main(["sign", '{"n": 3}', "--salt", "s", "--digest-method", "sha512"]) == 0
    value = capsys.readouterr().out.strip()
    theirs = SecureCookieSessionInterface(salt="s", digest_method="sha512")
    config = SessionConfig(secret_key=SECRET)
    assert read_session([f"session={value}"], config, interface=theirs) == {"n": 3}
    signed_flags = ["--salt", "s", "--digest-method", "sha512"]
    assert main(["inspect", value, "--purpose", "p", *signed_flags]) == 0
    assert "--purpose (for encrypted cookies) had no effect" in capsys.readouterr().err
    sealed = session_cookie({"n": 4}, config, interface=EncryptedCookieSessionInterface())
    assert main(["inspect", sealed, "--salt", "s"]) == 0
    assert "--salt (for signed cookies) had no effect" in capsys.readouterr().err


def test_sign_marks_a_permanent_session(
    only_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    only_env.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    assert main(["sign", '{"user_id": 6}', "--permanent"]) == 0
    value = capsys.readouterr().out.strip()
    config = SessionConfig(secret_key=SECRET)
    assert read_session([f"session={value}; Path=/"], config) == {
        "user_id": 6,
        "_permanent": True,
    }


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        pytest.param(["sign", '{"a": 1}'], {}, "no secret key", id="no-key"),
        pytest.param(["inspect", "x.y.z"], {}, "never the key itself", id="no-key-inspect"),
        pytest.param(
            ["sign", "{nope"], {"SESSIONWARE_SECRET_KEY": SECRET}, "not valid JSON", id="json"
        ),
        pytest.param(
            ["sign", "[1]"], {"SESSIONWARE_SECRET_KEY": SECRET}, "non-empty object", id="list"
        ),
        pytest.param(
            ["sign", "{}"], {"SESSIONWARE_SECRET_KEY": SECRET}, "non-empty object", id="empty"
        ),
        pytest.param(
            ["sign", '{"a": 1}', "--key-file", "/nonexistent/key"], {}, "cannot be read", id="file"
        ),
        pytest.param(
            ["sign", '{"a": 1}'],
            {"SESSIONWARE_SECRET_KEY": SECRET, "SESSIONWARE_COOKIE_SECURE": "maybe"},
            "not a boolean",
            id="setting",
        ),
    ],
)
def test_misuse_exits_2_and_says_what_to_do(
    args: list[str],
    env: dict[str, str],
    message: str,
    only_env: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for var, value in env.items():
        only_env.setenv(var, value)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert SECRET not in err
