"""Django's own session tests, run unchanged against sessionware's two engines.

``SessionTestsMixin`` (with ``backend`` set to each engine's ``SessionStore``) and
``SessionMiddlewareTests`` (with ``SESSION_ENGINE`` set to each engine) come from
Django's sdist (``tests/sessions_tests/tests.py``, not a byte changed); the classes
here only subclass them. Skips are listed with their reason:

- the cookie engine skips what Django itself skips (or overrides with ``pass``) for
  its own ``signed_cookies`` engine in ``CookieSessionTests``, with Django's reason;
- both engines skip ``SessionMiddlewareTests.test_empty_session_saved``, which reads
  Django's database table (``Session.objects``) that only Django's ``db`` engine
  writes; ``test_emptied_session_is_saved`` below checks the same through the engine.
"""

import os
import socket
import tempfile
import unittest
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory, SimpleTestCase, override_settings
from sessions_tests import tests as django_tests

from sessionware.django.cookie import SessionStore as CookieStore
from sessionware.django.store import SessionStore as StoreStore

# Django's reasons, from its CookieSessionTests (signed_cookies).
NO_EXISTS = (
    "Django skips it for signed_cookies: 'This test tested exists() in the other session "
    "backends, but that doesn't make sense for us.'"
)
NO_CYCLE = (
    "Django skips it for signed_cookies: 'we can't invalidate previously signed cookies "
    "(other than letting them expire naturally) so testing for this behavior is meaningless.'"
)
NO_QUERY = (
    "Django skips it for signed_cookies: 'CookieSession is stored in the client and there "
    "is no way to query it.'"
)
DB_TABLE = (
    "reads Django's own database table (Session.objects), which only the db engine writes; "
    "test_emptied_session_is_saved checks the same through this engine"
)


def reachable(url):
    """Whether something listens at the URL's host and port."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=1):
            return True
    except OSError:
        return False


class CookieEngineTests(django_tests.SessionTestsMixin, SimpleTestCase):
    backend = CookieStore

    test_save = unittest.skip(NO_EXISTS)(django_tests.SessionTestsMixin.test_save)
    test_save_async = unittest.skip(NO_EXISTS)(django_tests.SessionTestsMixin.test_save_async)
    test_cycle = unittest.skip(NO_CYCLE)(django_tests.SessionTestsMixin.test_cycle)
    test_cycle_async = unittest.skip(NO_CYCLE)(django_tests.SessionTestsMixin.test_cycle_async)
    test_session_save_does_not_resurrect_session_logged_out_in_other_context = unittest.skip(
        NO_QUERY
    )(
        django_tests.SessionTestsMixin.test_session_save_does_not_resurrect_session_logged_out_in_other_context
    )
    test_session_asave_does_not_resurrect_session_logged_out_in_other_context = unittest.skip(
        NO_QUERY
    )(
        django_tests.SessionTestsMixin.test_session_asave_does_not_resurrect_session_logged_out_in_other_context
    )


@override_settings(SESSIONWARE_STORE_URL="memory://")
class StoreEngineMemoryTests(django_tests.SessionTestsMixin, SimpleTestCase):
    backend = StoreStore


_SQLITE = os.path.join(tempfile.mkdtemp(prefix="sessionware-compat-"), "sessions.sqlite3")


@override_settings(SESSIONWARE_STORE_URL=f"sqlite:///{_SQLITE}")
class StoreEngineSQLiteTests(django_tests.SessionTestsMixin, SimpleTestCase):
    backend = StoreStore


@unittest.skipUnless(
    reachable(settings.COMPAT_REDIS_URL),
    "no Redis at COMPAT_REDIS_URL (default redis://127.0.0.1:6379/15); start redis-server "
    "or set COMPAT_REDIS_URL to run these",
)
@override_settings(SESSIONWARE_STORE_URL=settings.COMPAT_REDIS_URL)
class StoreEngineRedisTests(django_tests.SessionTestsMixin, SimpleTestCase):
    backend = StoreStore


@unittest.skipUnless(
    reachable(settings.COMPAT_POSTGRES_URL),
    "no PostgreSQL at COMPAT_POSTGRES_URL (default postgresql://127.0.0.1:5432/test); "
    "set COMPAT_POSTGRES_URL to run these",
)
@override_settings(SESSIONWARE_STORE_URL=settings.COMPAT_POSTGRES_URL)
class StoreEnginePostgresTests(django_tests.SessionTestsMixin, SimpleTestCase):
    backend = StoreStore


class EmptiedSession:
    """Django's test_empty_session_saved, checked through the engine, not the db table."""

    def test_emptied_session_is_saved(self):
        def view(request):
            request.session["foo"] = "bar"
            return HttpResponse("Session test")

        request = RequestFactory().get("/")
        middleware = SessionMiddleware(view)
        middleware(request)
        del request.session["foo"]
        response = middleware.process_response(request, HttpResponse("Session test"))
        key = request.session.session_key
        self.assertGreater(len(key), 8)
        self.assertEqual(response.cookies[settings.SESSION_COOKIE_NAME].value, key)
        self.assertEqual(response.headers["Vary"], "Cookie")
        engine = type(request.session)
        self.assertEqual(engine(key).load(), {})


@override_settings(SESSION_ENGINE="sessionware.django.cookie")
class CookieEngineMiddlewareTests(django_tests.SessionMiddlewareTests):
    test_empty_session_saved = unittest.skip(DB_TABLE)(
        django_tests.SessionMiddlewareTests.test_empty_session_saved
    )


@override_settings(SESSION_ENGINE="sessionware.django.store", SESSIONWARE_STORE_URL="memory://")
class StoreEngineMiddlewareTests(django_tests.SessionMiddlewareTests):
    test_empty_session_saved = unittest.skip(DB_TABLE)(
        django_tests.SessionMiddlewareTests.test_empty_session_saved
    )


@override_settings(
    SESSION_ENGINE="sessionware.django.store", SESSIONWARE_STORE_URL=f"sqlite:///{_SQLITE}"
)
class StoreEngineSQLiteMiddlewareTests(django_tests.SessionMiddlewareTests):
    test_empty_session_saved = unittest.skip(DB_TABLE)(
        django_tests.SessionMiddlewareTests.test_empty_session_saved
    )


@override_settings(SESSION_ENGINE="sessionware.django.cookie")
class CookieEngineEmptiedSessionTests(EmptiedSession, SimpleTestCase):
    pass


@override_settings(SESSION_ENGINE="sessionware.django.store", SESSIONWARE_STORE_URL="memory://")
class StoreEngineEmptiedSessionTests(EmptiedSession, SimpleTestCase):
    pass
