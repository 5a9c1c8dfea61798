"""Django configured once for the in-process Django tests; each test sets what it needs.

Settings can be configured only once per process, and other tests may have done it
first, so every test applies the settings it relies on with ``override_settings``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from tests.conftest import SECRET

if not settings.configured:
    settings.configure(
        SECRET_KEY=SECRET,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
        DATABASES={},
        USE_TZ=True,
    )
    django.setup()

View = Callable[[HttpRequest], HttpResponse]


def run(view: View, cookie: str | None = None, name: str | None = None) -> HttpResponse:
    """Send one GET through Django's SessionMiddleware to ``view``, with ``cookie``."""
    name = name or settings.SESSION_COOKIE_NAME
    headers: dict[str, Any] = {}
    if cookie is not None:
        headers["HTTP_COOKIE"] = f"{name}={cookie}"
    request = RequestFactory().get("/", **headers)
    response: HttpResponse = SessionMiddleware(view)(request)
    response.request_session = request.session
    return response


def set_cookie(response: HttpResponse, name: str | None = None) -> str | None:
    """The session cookie's value the response sets ("" when it deletes it)."""
    morsel = response.cookies.get(name or settings.SESSION_COOKIE_NAME)
    return None if morsel is None else str(morsel.value)
