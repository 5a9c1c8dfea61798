"""Settings of the test project; the tests choose the engine and store by environment."""

from __future__ import annotations

import os

SECRET_KEY = os.environ["DJANGO_TEST_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests._django_project.urls"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DJANGO_TEST_DB"]}
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
if os.environ.get("DJANGO_TEST_BEHIND"):
    # Behind sessionware's WSGI middleware (wsgi.py wraps the app): its session is ours.
    MIDDLEWARE[0] = "sessionware.django.middleware.WSGISessionMiddleware"
SESSION_ENGINE = os.environ.get("DJANGO_TEST_ENGINE", "sessionware.django.cookie")
SESSIONWARE_STORE_URL = os.environ.get("DJANGO_TEST_STORE_URL", "")
if "DJANGO_TEST_SHARED_KEY" in os.environ:
    SESSION_COOKIE_NAME = "session"
    SESSIONWARE = {"secret_key": os.environ["DJANGO_TEST_SHARED_KEY"], "cookie_name": "session"}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"sessionware": {"handlers": ["console"], "level": "INFO"}},
}
