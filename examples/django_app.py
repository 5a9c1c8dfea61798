"""A Django app in one module on sessionware: visit counter, log in, log out.

Django runs behind sessionware's WSGI ``SessionMiddleware``: ``WSGISessionMiddleware`` in
``MIDDLEWARE`` makes ``request.session`` the middleware's session. So the same Django app
can be served alone or mounted with other apps under one middleware, sharing their
session and login (``session["user"]``, as the other examples keep it)::

    SESSIONWARE_SECRET_KEY=... gunicorn examples.django_app:app      # alone
    from examples.django_app import django_app                        # to mount it

``django_app`` is the bare Django WSGI application (it needs a ``SessionMiddleware``
around it); ``app`` is it wrapped in one, configured from ``SESSIONWARE_*`` variables.
The module configures Django's settings itself (unless something did before it). For
Django's own ``SessionMiddleware`` with a sessionware engine instead, see
``docs/django.md``. Needs ``pip install sessionware[django]``.
"""

from __future__ import annotations

import html
import os
import secrets

import django
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from examples.plain_app import load_config
from sessionware import SessionMiddleware

if not settings.configured:
    settings.configure(
        DEBUG=False,
        # Django's own key signs nothing here (sessions are sessionware's): any will do.
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_hex(32),
        ALLOWED_HOSTS=os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(","),
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["sessionware.django.middleware.WSGISessionMiddleware"],
        INSTALLED_APPS=[],
        DATABASES={},
        USE_TZ=True,
    )
    django.setup()

PAGE = """<!doctype html>
<title>sessionware: Django</title>
<p>Django says: hello, {name}. Visits: {visits}.</p>
{form}
"""
LOGIN = """<form method="post" action="{root}/login">
<input name="username" placeholder="user name" required> <button>Log in</button></form>"""
LOGOUT = """<form method="post" action="{root}/logout"><button>Log out</button></form>"""


def _root(request: HttpRequest) -> str:
    return str(request.META.get("SCRIPT_NAME", "")).rstrip("/")


def index(request: HttpRequest) -> HttpResponse:
    """Count the visits of this session and say who is logged in."""
    visits = request.session.get("visits", 0) + 1
    request.session["visits"] = visits
    user = request.session.get("user")
    form = (LOGOUT if user else LOGIN).format(root=_root(request))
    name = html.escape(user) if user else "stranger"
    return HttpResponse(PAGE.format(name=name, visits=visits, form=form))


def whoami(request: HttpRequest) -> JsonResponse:
    """Who is logged in, as JSON (for scripts and tests)."""
    return JsonResponse({"app": "django", "user": request.session.get("user")})


@require_POST  # type: ignore[untyped-decorator]  # Django ships no type hints
def login(request: HttpRequest) -> HttpResponse:
    """Log the posted user name in; a new session identity stops session fixation."""
    username = request.POST.get("username", "").strip()
    if username:
        request.session.cycle_key()
        request.session["user"] = username
    return HttpResponseRedirect(_root(request) + "/", status=303)


@require_POST  # type: ignore[untyped-decorator]
def logout(request: HttpRequest) -> HttpResponse:
    """End the session (every app under the same middleware forgets the user)."""
    request.session.flush()
    return HttpResponseRedirect(_root(request) + "/", status=303)


urlpatterns = [
    path("", index),
    path("whoami", whoami),
    path("login", login),
    path("logout", logout),
]

#: The bare Django application: mount it under a ``SessionMiddleware``.
django_app = get_wsgi_application()
#: Django alone behind its own ``SessionMiddleware``: ``examples.django_app:app``.
app = SessionMiddleware(django_app, load_config())
