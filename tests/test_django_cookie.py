"""SESSION_ENGINE = "sessionware.django.cookie": Django's session in Flask's cookie."""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from flask import Flask, session

from sessionware import SecureCookieSession, SecureCookieSessionInterface, SessionConfig
from sessionware.cookies._header import find_cookie
from sessionware.errors import CookieTooLarge
from tests._django import run, set_cookie
from tests.conftest import SECRET, FakeClock, tampered

OTHER = "another-secret-that-is-long-enough-for-hmac"


@pytest.fixture(autouse=True)
def cookie_engine() -> Iterator[None]:
    with override_settings(
        SESSION_ENGINE="sessionware.django.cookie",
        SECRET_KEY=SECRET,
        SECRET_KEY_FALLBACKS=[],
        SESSION_COOKIE_NAME="sessionid",
        SESSIONWARE={},
        USE_TZ=True,
    ):
        yield


def plain_cookie(data: dict[str, object], *, key: str = SECRET, age: float = 0) -> str:
    """A cookie a plain sessionware app writes, signed ``age`` seconds ago."""
    config = SessionConfig(secret_key=key, cookie_name="sessionid")
    interface = SecureCookieSessionInterface(clock=FakeClock(time.time() - age))
    sess = SecureCookieSession(data)
    sess.modified = True
    headers: list[tuple[str, str]] = []
    interface.save_session(config, sess, headers)
    value = find_cookie(headers[-1][1].partition(";")[0], "sessionid")
    assert value
    return value


def plain_read(value: str, *, key: str = SECRET) -> dict[str, object]:
    config = SessionConfig(secret_key=key, cookie_name="sessionid")
    opened = SecureCookieSessionInterface().open_session(
        config, {"HTTP_COOKIE": f"sessionid={value}"}
    )
    assert opened is not None
    return dict(opened)


def remember(request: HttpRequest) -> HttpResponse:
    request.session["cart"] = [1, 2]
    return HttpResponse("ok")


def show(request: HttpRequest) -> HttpResponse:
    return HttpResponse(repr(sorted(request.session.items())))


def test_a_plain_sessionware_app_reads_what_django_writes_and_back() -> None:
    value = set_cookie(run(remember))
    assert value
    assert plain_read(value) == {"cart": [1, 2]}
    reply = run(show, plain_cookie({"from": "plain"}))
    assert reply.content == b"[('from', 'plain')]"


def test_flask_and_django_share_the_cookie() -> None:
    flask_app = Flask(__name__)
    flask_app.secret_key = SECRET

    @flask_app.get("/")
    def flask_view() -> str:
        session["flask"] = "hello"
        return repr(sorted(session.items()))

    with override_settings(SESSION_COOKIE_NAME="session"):
        django_value = set_cookie(run(remember))
        assert django_value
        client = flask_app.test_client()
        client.set_cookie("session", django_value)
        assert client.get("/").text == "[('cart', [1, 2]), ('flask', 'hello')]"
        flask_cookie = client.get_cookie("session")
        assert flask_cookie is not None
        reply = run(show, flask_cookie.value)
        assert reply.content == b"[('cart', [1, 2]), ('flask', 'hello')]"


def test_the_sessionware_dict_sets_a_key_shared_with_other_apps() -> None:
    with override_settings(SECRET_KEY="django-" + "d" * 40, SESSIONWARE={"secret_key": OTHER}):
        value = set_cookie(run(remember))
        assert value
        assert plain_read(value, key=OTHER) == {"cart": [1, 2]}
        assert plain_read(value, key=SECRET) == {}
        assert run(show, plain_cookie({"a": 1}, key=OTHER)).content == b"[('a', 1)]"


def test_a_cookie_signed_with_a_fallback_key_is_read_and_re_signed() -> None:
    old = plain_cookie({"a": 1}, key=OTHER)
    with override_settings(SECRET_KEY_FALLBACKS=[OTHER]):
        response = run(show, old)
    assert response.content == b"[('a', 1)]"
    new = set_cookie(response)
    assert new
    assert plain_read(new, key=SECRET) == {"a": 1}


def test_a_tampered_cookie_is_a_fresh_session_deleted_and_logged(
    session_log: pytest.LogCaptureFixture,
) -> None:
    value = plain_cookie({"user": "alice"})
    forged = tampered(value)
    response = run(show, forged)
    assert response.content == b"[]"
    assert set_cookie(response) == ""  # Django's middleware deletes it
    assert "signature does not match" in session_log.text
    assert forged not in session_log.text


def test_an_expired_cookie_is_a_fresh_session(session_log: pytest.LogCaptureFixture) -> None:
    with override_settings(SESSION_COOKIE_AGE=600):
        assert run(show, plain_cookie({"a": 1}, age=601)).content == b"[]"
        assert run(show, plain_cookie({"a": 1}, age=30)).content == b"[('a', 1)]"
    assert any(r.levelno == logging.INFO for r in session_log.records)


@pytest.mark.parametrize(
    ("expiry", "age", "kept"),
    [
        pytest.param(60, 30, True, id="seconds-left"),
        pytest.param(60, 90, False, id="seconds-past"),
        pytest.param("2000-01-01T00:00:00+00:00", 0, False, id="date-past"),
        pytest.param("2999-01-01T00:00:00+00:00", 0, True, id="date-ahead"),
        pytest.param("not a date", 0, False, id="garbled"),
    ],
)
def test_set_expiry_is_enforced_by_the_server(expiry: object, age: int, kept: bool) -> None:
    cookie = plain_cookie({"a": 1, "_session_expiry": expiry}, age=age)
    assert (b"('a', 1)" in run(show, cookie).content) is kept


def test_an_oversized_session_raises_instead_of_vanishing() -> None:
    def stuff(request: HttpRequest) -> HttpResponse:
        request.session["blob"] = secrets.token_hex(3000)
        return HttpResponse("ok")

    with pytest.raises(CookieTooLarge):
        run(stuff)


def test_an_emptied_session_still_has_a_cookie_that_reads_as_empty() -> None:
    def empty(request: HttpRequest) -> HttpResponse:
        del request.session["a"]
        return HttpResponse("ok")

    value = set_cookie(run(empty, plain_cookie({"a": 1})))
    assert value
    assert plain_read(value) == {}


def test_flush_deletes_the_cookie_and_cycle_key_re_signs() -> None:
    def flush(request: HttpRequest) -> HttpResponse:
        request.session.flush()
        return HttpResponse("ok")

    def cycle(request: HttpRequest) -> HttpResponse:
        request.session.cycle_key()
        return HttpResponse(str(request.session.exists(request.session.session_key)))

    cookie = plain_cookie({"a": 1}, age=5)
    assert set_cookie(run(flush, cookie)) == ""
    response = run(cycle, cookie)
    assert response.content == b"False"
    new = set_cookie(response)
    assert new
    assert new != cookie
    assert plain_read(new) == {"a": 1}


def test_the_async_api_works() -> None:
    asyncio.run(_async_api())


async def _async_api() -> None:
    from sessionware.django.cookie import SessionStore

    store = SessionStore()
    await store.aset("a", 1)
    await store.acreate()
    await store.asave()
    assert await store.aexists(store.session_key) is False
    reopened = SessionStore(store.session_key)
    assert await reopened.aget("a") == 1
    await reopened.acycle_key()
    await reopened.adelete()
    assert await reopened.aitems() == {}.items()
    await SessionStore.aclear_expired()
    SessionStore.clear_expired()


def test_encode_and_decode_speak_the_cookie_format(caplog: pytest.LogCaptureFixture) -> None:
    from sessionware.django.cookie import SessionStore

    store = SessionStore()
    encoded = store.encode({"a": 1})
    assert plain_read(encoded) == {"a": 1}
    assert store.decode(encoded) == {"a": 1}
    with caplog.at_level(logging.WARNING, logger="django.security.SuspiciousSession"):
        assert store.decode("bad:encoded:value") == {}
    assert "Session data corrupted" in caplog.text


def test_a_change_in_place_is_saved_and_a_read_is_not() -> None:
    def append(request: HttpRequest) -> HttpResponse:
        request.session["cart"].append(3)
        return HttpResponse("ok")

    cookie = plain_cookie({"cart": [1, 2]})
    assert set_cookie(run(show, cookie)) is None
    value = set_cookie(run(append, cookie))
    assert value
    assert plain_read(value) == {"cart": [1, 2, 3]}
