"""``SessionMiddleware(app)`` with no settings reads ``SESSIONWARE_*``; any setting wins.

Each request runs in a process of its own (``tests/_env_app.py``) started with the
variables set, as a 12-factor deployment starts its workers: a session that survives
from one process to the next was signed with the key from the environment.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sessionware import SessionConfig, SessionMiddleware
from sessionware.asgi import SessionMiddleware as ASGISessionMiddleware
from sessionware.cli import main as cli

from ._servers import clean_env

ENV_KEY = "e" * 64
EXPLICIT_KEY = "x" * 64
ROOT = Path(__file__).resolve().parent.parent

KINDS = [pytest.param("wsgi", id="wsgi"), pytest.param("asgi", id="asgi")]


def visit(
    kind: str, env: dict[str, str], cookie: str = "", **settings: Any
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests._env_app", kind, json.dumps(settings), cookie],
        env=clean_env(**env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def reply(result: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@pytest.mark.parametrize("kind", KINDS)
def test_the_key_exported_alone_gives_sessions(kind: str) -> None:
    env = {"SESSIONWARE_SECRET_KEY": ENV_KEY}
    first = visit(kind, env)
    assert "no secret key" not in first.stderr
    one = reply(first)
    assert one["body"] == "1"
    two = reply(visit(kind, env, header(one["cookies"])))
    assert two["body"] == "2"


@pytest.mark.parametrize("kind", KINDS)
def test_other_variables_apply_too(kind: str) -> None:
    env = {"SESSIONWARE_SECRET_KEY": ENV_KEY, "SESSIONWARE_COOKIE_NAME": "from_env"}
    assert list(reply(visit(kind, env))["cookies"]) == ["from_env"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_explicit_key_wins_and_the_environment_is_not_read(kind: str) -> None:
    env = {"SESSIONWARE_SECRET_KEY": ENV_KEY, "SESSIONWARE_COOKIE_NAME": "from_env"}
    one = reply(visit(kind, env, secret_key=EXPLICIT_KEY))
    # Not even the variables the settings leave out are read: the default name stays.
    assert list(one["cookies"]) == ["session"]
    cookie = header(one["cookies"])
    # The environment's key does not verify it: a middleware built from it starts over ...
    env_only = {"SESSIONWARE_SECRET_KEY": ENV_KEY}
    assert reply(visit(kind, env_only, cookie))["body"] == "1"
    # ... and the explicit key does.
    assert reply(visit(kind, env, cookie, secret_key=EXPLICIT_KEY))["body"] == "2"


@pytest.mark.parametrize("kind", KINDS)
def test_a_typo_in_a_variable_fails_at_start_up(kind: str) -> None:
    env = {"SESSIONWARE_SECRET_KEY": ENV_KEY, "SESSIONWARE_COOKIE_SECUR": "true"}
    result = visit(kind, env)
    assert result.returncode != 0
    assert "unknown session setting(s) SESSIONWARE_COOKIE_SECUR" in result.stderr
    assert ENV_KEY not in result.stderr
    # With settings passed the environment is not read, so it is not checked either.
    assert reply(visit(kind, env, secret_key=EXPLICIT_KEY))["body"] == "1"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("interface", ["signed", "encrypted"])
def test_a_keyring_file_exported_alone_gives_sessions(
    kind: str, interface: str, tmp_path: Path
) -> None:
    ring = tmp_path / "keys.json"
    assert cli(["keys", "new", str(ring)]) == 0
    env = {"SESSIONWARE_KEYRING_FILE": str(ring)}
    settings = {"interface": "encrypted"} if interface == "encrypted" else {}
    first = visit(kind, env, **settings)
    assert "no secret key" not in first.stderr
    one = reply(first)
    assert one["body"] == "1"
    two = reply(visit(kind, env, header(one["cookies"]), **settings))
    assert two["body"] == "2"
    # Another ring (or none) does not open it.
    other = tmp_path / "other.json"
    assert cli(["keys", "new", str(other)]) == 0
    env_other = {"SESSIONWARE_KEYRING_FILE": str(other)}
    assert reply(visit(kind, env_other, header(one["cookies"]), **settings))["body"] == "1"


def _empty_app(*args: object) -> None:
    raise AssertionError("not called")


MIDDLEWARES = [
    pytest.param(SessionMiddleware, id="wsgi"),
    pytest.param(ASGISessionMiddleware, id="asgi"),
]


@pytest.fixture
def no_session_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("SESSIONWARE_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize("middleware", MIDDLEWARES)
@pytest.mark.usefixtures("no_session_env")
def test_without_a_key_the_warning_says_the_environment_is_read(
    middleware: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="sessionware"):
        middleware(_empty_app)
    assert "set SESSIONWARE_SECRET_KEY (or SESSIONWARE_KEYRING_FILE)" in caplog.text
    assert "read when SessionMiddleware is given no settings" in caplog.text


@pytest.mark.parametrize("middleware", MIDDLEWARES)
@pytest.mark.parametrize(
    "arguments",
    [
        pytest.param({"cookie_secure": True}, id="settings"),
        pytest.param({"config": SessionConfig(cookie_name="s")}, id="config"),
    ],
)
def test_with_settings_the_warning_says_the_environment_is_not_read(
    middleware: Any,
    arguments: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", ENV_KEY)
    with caplog.at_level(logging.WARNING, logger="sessionware"):
        built = middleware(_empty_app, **arguments)
    assert built.config.secret_key is None
    assert "not read when settings or config= are passed" in caplog.text
    assert "config=SessionConfig.from_env(" in caplog.text
    assert ENV_KEY not in caplog.text
