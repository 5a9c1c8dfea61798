"""Each example, run once: as a user would click through it."""

from __future__ import annotations

import importlib
import re
import sys
import warnings
from types import ModuleType

import pytest
from werkzeug.test import Client, TestResponse

from tests._servers import Browser, Server, clean_env

SECRET = "an-example-test-secret-long-enough-for-hmac"
GREETING = re.compile(r"Hello, (?P<name>[^.]+)\. Visits: (?P<visits>\d+)\.")


def load(name: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    """Import ``examples.<name>`` afresh with exactly these SESSIONWARE_* variables.

    The Flask example is configured through app.config, from FLASK_* variables: it gets
    each SESSIONWARE_X as FLASK_X.
    """
    for var in [var for var in clean_env() if var.startswith(("SESSIONWARE_", "FLASK_"))]:
        monkeypatch.delenv(var)  # pragma: no cover - only on a machine that sets them
    for var, value in env.items():
        if name == "flask_app":
            var = var.replace("SESSIONWARE_", "FLASK_", 1)
        monkeypatch.setenv(var, value)
    with warnings.catch_warnings():
        # WebOb 1.8 imports the cgi module, deprecated since Python 3.11.
        warnings.filterwarnings("ignore", "'cgi' is deprecated", DeprecationWarning)
        module = importlib.import_module(f"examples.{name}")
    return importlib.reload(module)


def greeting(response: TestResponse) -> tuple[str, int]:
    assert response.status_code == 200, response.text
    match = GREETING.search(response.text)
    assert match, response.text
    return match["name"], int(match["visits"])


def session_cookie(client: Client, name: str = "session") -> str | None:
    cookie = client.get_cookie(name)
    return None if cookie is None else cookie.value


@pytest.mark.parametrize("name", ["plain_app", "flask_app", "webob_app"])
def test_visit_counter_login_and_logout(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(load(name, monkeypatch, SESSIONWARE_SECRET_KEY=SECRET).app)
    assert greeting(client.get("/")) == ("stranger", 1)
    assert greeting(client.get("/")) == ("stranger", 2)
    before = session_cookie(client)

    response = client.post("/login", data={"username": "  <alice>  "})
    assert response.status_code == 303
    assert session_cookie(client) not in (None, before)
    # Logging in keeps what the session held; the name is escaped in the page.
    assert greeting(client.get("/")) == ("&lt;alice&gt;", 3)

    response = client.post("/logout")
    assert response.status_code == 303
    assert session_cookie(client) is None
    assert greeting(client.get("/")) == ("stranger", 1)


@pytest.mark.parametrize("name", ["plain_app", "flask_app", "webob_app"])
def test_login_without_a_name_logs_nobody_in(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(load(name, monkeypatch, SESSIONWARE_SECRET_KEY=SECRET).app)
    assert client.post("/login", data={"username": " "}).status_code == 303
    assert greeting(client.get("/")) == ("stranger", 1)


@pytest.mark.parametrize("name", ["plain_app", "flask_app", "webob_app"])
def test_unknown_pages_are_404(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(load(name, monkeypatch, SESSIONWARE_SECRET_KEY=SECRET).app)
    assert client.get("/nowhere").status_code == 404
    assert client.put("/").status_code in (404, 405)


def test_plain_app_ignores_a_garbled_content_length(monkeypatch: pytest.MonkeyPatch) -> None:
    client = Client(load("plain_app", monkeypatch, SESSIONWARE_SECRET_KEY=SECRET).app)
    response = client.post("/login", headers={"Content-Length": "many"})
    assert response.status_code == 303
    assert greeting(client.get("/")) == ("stranger", 1)


@pytest.mark.parametrize("name", ["plain_app", "flask_app", "webob_app"])
def test_without_a_secret_key_a_dev_key_is_made_and_announced(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    client = Client(load(name, monkeypatch).app)
    prefix = "FLASK" if name == "flask_app" else "SESSIONWARE"
    assert f"{prefix}_SECRET_KEY is not set" in capsys.readouterr().err
    assert greeting(client.get("/")) == ("stranger", 1)
    assert greeting(client.get("/")) == ("stranger", 2)


def test_examples_read_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    module = load(
        "plain_app", monkeypatch, SESSIONWARE_SECRET_KEY=SECRET, SESSIONWARE_COOKIE_NAME="visit"
    )
    client = Client(module.app)
    client.get("/")
    assert session_cookie(client, "visit") is not None


def test_flask_app_shares_one_session_between_flask_and_the_environ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    module = load(
        "flask_app",
        monkeypatch,
        SESSIONWARE_SECRET_KEY=SECRET,
        SESSIONWARE_SESSION_COOKIE_NAME="flask_visit",
    )
    client = Client(module.app)
    client.get("/")
    client.post("/login", data={"username": "bob"})
    # Flask's own SESSION_COOKIE_NAME, read from app.config, named the cookie.
    assert session_cookie(client, "flask_visit") is not None
    # /whoami reads environ["session"]; the visit and login were written via flask.session.
    assert client.get("/whoami").json == {"user": "bob", "visits": 1}


def test_custom_interface_keeps_the_data_on_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    module = load("custom_interface", monkeypatch)
    store = module.app.interface.store
    client = Client(module.app)
    assert client.get("/").text == "Visits: 1\n"
    response = client.get("/")
    assert response.text == "Visits: 2\n"
    assert response.headers["Vary"] == "Cookie"
    cookie = session_cookie(client)
    assert cookie is not None
    [(sid, data)] = store.items()
    assert data == {"visits": 2}
    # The cookie carries only the signed ID, never the data.
    assert cookie.startswith(sid + ".")
    assert "visits" not in cookie

    client.get("/login")
    [(new_sid, data)] = store.items()
    assert new_sid != sid
    assert data == {"visits": 2, "user": "demo"}
    assert client.get("/").text == "Visits: 3\n"

    # A forged ID (a valid-looking ID with a bad signature) is never adopted.
    client.set_cookie("session", sid + ".forged.signature")
    assert client.get("/").text == "Visits: 1\n"
    assert len(store) == 2

    client.get("/logout")
    assert session_cookie(client) is None
    assert len(store) == 1


def test_custom_interface_without_a_key_gives_a_read_only_session() -> None:
    from examples.custom_interface import MemorySessionInterface, counter
    from sessionware import SessionMiddleware, SessionUnavailable

    client = Client(SessionMiddleware(counter, interface=MemorySessionInterface()))
    with pytest.raises(SessionUnavailable, match="SESSIONWARE_SECRET_KEY"):
        client.get("/")


def test_plain_app_script_serves_what_make_run_serves() -> None:
    """``python examples/plain_app.py``, which ``make run`` runs, over real HTTP."""
    script = [sys.executable, "examples/plain_app.py", "--port", "0"]
    with Server(script, r"Serving on http://127\.0\.0\.1:(?P<port>\d+)/") as server:
        browser = Browser(server.url)
        for visits in (1, 2):
            assert f"Hello, stranger. Visits: {visits}." in browser.get("/").body
        browser.post("/login", {"username": "carol"})
        assert "Hello, carol. Visits: 3." in browser.get("/").body
    assert "SESSIONWARE_SECRET_KEY is not set" in server.output
