"""Issue 16, item 1, through the framework adapters: Flask, Pyramid and Django.

Each adapter reads the cookie through a sessionware interface, so each gets the same
guarantee as the middlewares (tests/test_hardening_parse.py): a malformed chunk count,
or any exception a parsing helper raises, is a fresh session and one log line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from flask import Flask
from flask import session as flask_session
from werkzeug.test import Client

from sessionware.flask.bridge import init_app
from sessionware.pyramid import session_factory
from tests._django import run as django_run
from tests._django import set_cookie as django_set_cookie
from tests._pyramid_apps import make_app
from tests.conftest import SECRET

SUPERSCRIPT = "~\u00b2~x"


def refusals(log: pytest.LogCaptureFixture, name: str = "session") -> list[str]:
    return [
        record.getMessage()
        for record in log.records
        if record.name == "sessionware" and f"Refused the {name!r}" in record.getMessage()
    ]


def fail(*args: Any, **kwargs: Any) -> Any:
    raise TypeError("a message quoting the cookie")


def flask_client() -> Client:
    app = Flask("parsing")
    app.secret_key = SECRET
    init_app(app, max_chunks=4)

    @app.get("/write")
    def write() -> str:
        flask_session["user"] = "ada"
        return "ok"

    @app.get("/")
    def show() -> dict[str, Any]:
        return {"new": flask_session.new, "data": dict(flask_session)}

    return Client(app, use_cookies=False)


@pytest.mark.parametrize("fault", [False, True], ids=["superscript", "fault"])
def test_flask(
    fault: bool, session_log: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = flask_client()
    header = f"session={SUPERSCRIPT}"
    if fault:
        written = client.get("/write").headers["Set-Cookie"]
        header = written.split(";", 1)[0]
        monkeypatch.setattr("sessionware.cookies._signing.CookieSigner.loads", fail)
    response = client.get("/", headers={"Cookie": header})
    assert response.status_code == 200
    assert response.get_json() == {"new": True, "data": {}}
    assert len(refusals(session_log)) == 1


@pytest.mark.parametrize("fault", [False, True], ids=["superscript", "fault"])
def test_pyramid(
    fault: bool, session_log: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client(make_app(session_factory(secret_key=SECRET, max_chunks=4)), use_cookies=False)
    header = f"session={SUPERSCRIPT}"
    if fault:
        written = client.get("/count").headers["Set-Cookie"]
        header = written.split(";", 1)[0]
        monkeypatch.setattr("sessionware.cookies._signing.CookieSigner.loads", fail)
    response = client.get("/read", headers={"Cookie": header})
    assert response.status_code == 200
    body = json.loads(response.get_data(as_text=True))
    assert body["data"] == {}
    assert body["new"] is True
    assert len(refusals(session_log)) == 1


@pytest.fixture
def django_cookie_engine() -> Iterator[None]:
    with override_settings(
        SESSION_ENGINE="sessionware.django.cookie",
        SECRET_KEY=SECRET,
        SECRET_KEY_FALLBACKS=[],
        SESSION_COOKIE_NAME="sessionid",
        SESSIONWARE={},
        USE_TZ=True,
    ):
        yield


def remember(request: HttpRequest) -> HttpResponse:
    request.session["user"] = "ada"
    return HttpResponse("ok")


def show(request: HttpRequest) -> HttpResponse:
    return HttpResponse(json.dumps(dict(request.session)))


@pytest.mark.usefixtures("django_cookie_engine")
@pytest.mark.parametrize("fault", [False, True], ids=["superscript", "fault"])
def test_django_cookie_engine(
    fault: bool, session_log: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Longer than the 8 characters under which Django drops a session key unread.
    cookie = SUPERSCRIPT + "x" * 20
    if fault:
        written = django_set_cookie(django_run(remember))
        assert written
        cookie = written
        monkeypatch.setattr("sessionware.cookies._signing.CookieSigner.loads", fail)
    response = django_run(show, cookie)
    assert response.status_code == 200
    assert json.loads(response.content) == {}
    assert len(refusals(session_log, "sessionid")) == 1
