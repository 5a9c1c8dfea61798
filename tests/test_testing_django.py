"""sessionware.testing with Django's test client, over the cookie engine.

The cookie ``session_cookie`` builds is the one Django's ``request.session`` reads, and
``read_session`` reads the one Django's response sets: a Django test can start logged in
and check what the view stored, as with werkzeug's client or WebTest.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path

import tests._django  # noqa: F401  (configures Django for in-process tests)
from sessionware import SessionConfig
from sessionware.testing import read_session, session_cookie
from tests.conftest import SECRET


def count(request: HttpRequest) -> HttpResponse:
    visits = request.session.get("visits", 0) + 1
    request.session["visits"] = visits
    return HttpResponse(f"user={request.session.get('user_id')} visits={visits}")


urlpatterns = [path("count", count)]


@pytest.fixture(autouse=True)
def cookie_engine() -> Iterator[None]:
    with override_settings(
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["testserver"],
        MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
        SESSION_ENGINE="sessionware.django.cookie",
        SECRET_KEY=SECRET,
        SECRET_KEY_FALLBACKS=[],
        SESSION_COOKIE_NAME="session",
        SESSIONWARE={},
    ):
        yield


CONFIG = SessionConfig(secret_key=SECRET)


def test_a_built_cookie_is_read_by_django_and_its_response_by_read_session() -> None:
    client = Client()
    client.cookies["session"] = session_cookie({"user_id": 42}, CONFIG)
    response = client.get("/count")
    assert response.content == b"user=42 visits=1"
    assert read_session(response, CONFIG) == {"user_id": 42, "visits": 1}
    # The client carries the cookie Django set: the next request sees the count.
    assert client.get("/count").content == b"user=42 visits=2"


def test_a_cookie_built_with_another_key_is_a_fresh_session() -> None:
    client = Client()
    other = SessionConfig(secret_key="another-secret-that-is-long-enough-for-hmac")
    client.cookies["session"] = session_cookie({"user_id": 42}, other)
    response = client.get("/count")
    assert response.content == b"user=None visits=1"
    assert read_session(response, CONFIG) == {"visits": 1}
