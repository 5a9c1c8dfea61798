"""The PasteDeploy filter: settings from the ini section, the rest from SESSIONWARE_*."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from paste.deploy import loadapp
from werkzeug.test import Client

from sessionware import SecureCookieSessionInterface, SessionConfig, SessionMiddleware
from sessionware.wsgi.middleware import StartResponse
from sessionware.wsgi.paste import filter_app_factory
from tests._servers import ROOT, clean_env

SECRET = "a-paste-test-secret-that-is-long-enough"


def counter(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    """A tiny app behind the filter: counts visits."""
    session = environ["session"]
    session["n"] = session.get("n", 0) + 1
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(session["n"]).encode()]


def counter_factory(global_conf: dict[str, str], **local_conf: str) -> Any:
    return counter


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test from an environment without SESSIONWARE_* variables."""
    for name in [name for name in clean_env() if name.startswith("SESSIONWARE_")]:
        monkeypatch.delenv(name)  # pragma: no cover - only where the machine sets them


def ini(tmp_path: Path, *options: str) -> str:
    """Write an ini whose pipeline is the session filter (with ``options``) and the counter."""
    path = tmp_path / "app.ini"
    path.write_text(
        "[pipeline:main]\npipeline = session counter\n\n"
        "[filter:session]\nuse = egg:sessionware\n" + "".join(f"{o}\n" for o in options) + "\n"
        "[app:counter]\nuse = call:tests.test_paste:counter_factory\n"
    )
    return f"config:{path}"


def session_middleware(app: Any) -> SessionMiddleware:
    assert isinstance(app, SessionMiddleware)
    return app


def test_the_example_ini_runs_the_plain_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    app = session_middleware(loadapp("config:examples/paste.ini", relative_to=str(ROOT)))
    assert app.config.cookie_name == "demo_session"
    assert app.config.lifetime_seconds == 86400
    assert app.config.refresh_each_request is False
    client = Client(app)
    assert "Visits: 1." in client.get("/").text
    assert "Visits: 2." in client.get("/").text
    # Signed with the key from the environment.
    value = client.get_cookie("demo_session")
    assert value is not None
    config = SessionConfig(secret_key=SECRET, cookie_name="demo_session")
    reader = SecureCookieSessionInterface()
    session = reader.open_session(config, {"HTTP_COOKIE": f"demo_session={value.value}"})
    assert session is not None
    assert session.get("visits") == 2


def test_ini_settings_win_over_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    monkeypatch.setenv("SESSIONWARE_COOKIE_NAME", "from_env")
    monkeypatch.setenv("SESSIONWARE_COOKIE_PATH", "/env")
    app = session_middleware(loadapp(ini(tmp_path, "cookie_name = from_ini")))
    assert app.config.cookie_name == "from_ini"
    assert app.config.cookie_path == "/env"
    header = Client(app).get("/").headers["Set-Cookie"]
    assert header.startswith("from_ini=")
    assert "Path=/env" in header


def test_the_environment_can_complete_what_the_ini_requires(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SameSite=None needs Secure: the ini gives one, the environment the other."""
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    monkeypatch.setenv("SESSIONWARE_COOKIE_SECURE", "true")
    app = session_middleware(loadapp(ini(tmp_path, "cookie_samesite = None")))
    header = Client(app).get("/").headers["Set-Cookie"]
    assert "; Secure" in header
    assert "SameSite=None" in header


def test_a_key_file_in_the_ini_is_not_clashing_with_a_key_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(SECRET + "-from-file\n")
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    app = session_middleware(loadapp(ini(tmp_path, f"secret_key_file = {key_file}")))
    assert app.config.secret_key == SECRET + "-from-file"


def test_a_key_in_the_ini_wins_over_a_key_file_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY_FILE", str(tmp_path / "missing"))
    app = session_middleware(loadapp(ini(tmp_path, f"secret_key = {SECRET}")))
    assert app.config.secret_key == SECRET


def test_fallback_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    old = ("old-key-1-of-the-app-of-32-bytes", "old-key-2-of-the-app-of-32-bytes")
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY_FALLBACKS", f'["{old[0]}", "{old[1]}"]')
    app = filter_app_factory(counter, {})
    assert app.config.secret_key_fallbacks == old


def test_defaults_of_the_ini_file_do_not_configure_the_filter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    uri = ini(tmp_path)
    path = Path(uri.removeprefix("config:"))
    path.write_text("[DEFAULT]\ncookie_name = shared\n\n" + path.read_text())
    app = session_middleware(loadapp(uri))
    assert app.config.cookie_name == "session"


def test_an_unknown_option_names_itself_and_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cookie_secrue \(in the ini file\).*cookie_secure"):
        loadapp(ini(tmp_path, "cookie_secrue = true"))


def test_a_bad_value_is_named_without_revealing_secrets(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cookie_secure \(in the ini file\)='maybe'") as caught:
        loadapp(ini(tmp_path, "cookie_secure = maybe", f"secret_key = {SECRET}"))
    assert SECRET not in str(caught.value)


def test_a_bad_environment_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    monkeypatch.setenv("SESSIONWARE_PERMANENT_LIFETIME", "a month")
    with pytest.raises(ValueError, match="SESSIONWARE_PERMANENT_LIFETIME") as caught:
        filter_app_factory(counter, {})
    assert SECRET not in str(caught.value)


def test_without_any_secret_the_filter_still_loads(tmp_path: Path) -> None:
    app = session_middleware(loadapp(ini(tmp_path)))
    assert app.config.secret_key is None
