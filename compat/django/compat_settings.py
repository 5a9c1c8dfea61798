"""Settings for running Django's own session tests against sessionware's engines.

``make django-compat`` puts the ``tests/`` directory of Django's sdist on the path, so
``sessions_tests`` (Django's files, unchanged) is importable; our test module
subclasses its classes. Mirrors Django's own ``tests/runtests.py`` settings where it
matters: SQLite, ``USE_TZ = False``, runtime and resource warnings as errors.
"""

import os
import warnings

warnings.simplefilter("error", ResourceWarning)
warnings.simplefilter("error", RuntimeWarning)

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"}}
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "sessions_tests",
    "sessionware_compat",
]
SECRET_KEY = "compat-" + "k" * 40
USE_TZ = False
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSIONWARE_STORE_URL = "memory://"
COMPAT_REDIS_URL = os.environ.get("COMPAT_REDIS_URL", "redis://127.0.0.1:6379/15")
COMPAT_POSTGRES_URL = os.environ.get("COMPAT_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")

# The tests feed the engines unknown and unsigned keys on purpose; each refusal is
# logged on the "sessionware" logger. Keep them out of the test report.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "loggers": {"sessionware": {"handlers": ["null"], "propagate": False}},
}
