"""A Django app behind sessionware's WSGI middleware: request.session is its session."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path
from werkzeug.test import Client

from sessionware import SecureCookieSession, SessionMiddleware, SessionMixin
from sessionware.django.middleware import (
    MiddlewareMissing,
    MiddlewareSession,
    WSGISessionMiddleware,
)
from tests._django import run
from tests.conftest import SECRET


def count(request: HttpRequest) -> HttpResponse:
    request.session["visits"] = request.session.get("visits", 0) + 1
    return HttpResponse(str(request.session["visits"]))


def login(request: HttpRequest) -> HttpResponse:
    request.session.cycle_key()
    request.session["user"] = "alice"
    return HttpResponse("in")


def logout(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    return HttpResponse("out")


def untouched(request: HttpRequest) -> HttpResponse:
    return HttpResponse("nothing")


urlpatterns = [
    path("count", count),
    path("login", login),
    path("logout", logout),
    path("untouched", untouched),
]


@pytest.fixture
def client() -> Iterator[Client]:
    with override_settings(
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["localhost"],
        MIDDLEWARE=["sessionware.django.middleware.WSGISessionMiddleware"],
    ):
        yield Client(SessionMiddleware(WSGIHandler(), secret_key=SECRET))


def plain(environ: dict[str, object], start_response: object) -> list[bytes]:
    sess = environ["session"]
    assert isinstance(sess, SessionMixin)
    start_response("200 OK", [("Content-Type", "text/plain")])  # type: ignore[operator]
    return [repr(sorted(sess.items())).encode()]


def test_the_middleware_saves_what_django_writes(client: Client) -> None:
    assert client.get("/count").text == "1"
    assert client.get("/count").text == "2"
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = Client(SessionMiddleware(plain, secret_key=SECRET))
    other.set_cookie("session", cookie.value)
    assert other.get("/").text == "[('visits', 2)]"


def test_login_regenerates_and_logout_invalidates(client: Client) -> None:
    client.get("/count")
    before = client.get_cookie("session")
    assert client.get("/login").text == "in"
    after = client.get_cookie("session")
    assert before is not None
    assert after is not None
    assert after.value != before.value
    assert client.get("/count").text == "2"
    response = client.get("/logout")
    assert "session=;" in response.headers["Set-Cookie"]
    assert client.get_cookie("session") is None


def test_an_untouched_session_is_not_opened(client: Client) -> None:
    response = client.get("/untouched")
    assert "Set-Cookie" not in response.headers
    assert "Vary" not in response.headers


def test_without_the_wsgi_middleware_the_error_says_how_to_wrap() -> None:
    middleware = WSGISessionMiddleware(untouched)
    with pytest.raises(MiddlewareMissing, match="wrap the WSGI application"):
        middleware(RequestFactory().get("/"))


def test_the_django_api_maps_onto_the_session() -> None:
    inner = SecureCookieSession({"a": 1})
    session = MiddlewareSession(inner)
    assert session.accessed is False
    assert session["a"] == 1
    assert session.accessed is True
    session.modified = False
    assert session.modified is False
    session.permanent = True
    assert inner.permanent is True
    assert session.permanent is True
    assert session.modified is True
    assert session.load() == {"a": 1, "_permanent": True}
    assert session.is_empty() is False
    assert session.exists() is False
    session.create()
    session.save()
    session.delete()
    assert session.is_empty() is True
    session.clear()
    assert MiddlewareSession.clear_expired() is None

    async def go() -> None:
        await session.aset("b", 2)
        assert await session.aget("b") == 2
        assert await session.aload() == {"b": 2}
        assert await session.aexists() is False
        await session.acreate()
        await session.asave()
        await session.acycle_key()
        assert inner.reissue is True
        await session.adelete()
        await session.aflush()
        assert await session.aitems() == {}.items()

    asyncio.run(go())


def test_the_engines_stay_separate_from_it() -> None:
    # With Django's own SessionMiddleware the engines still work in the same process.
    with override_settings(SESSION_ENGINE="sessionware.django.cookie", SESSIONWARE={}):
        assert run(count).content == b"1"
