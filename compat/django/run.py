"""Run Django's session tests against sessionware's engines; print counts per class.

Usage (``make django-compat`` does this for each Django version)::

    PYTHONPATH=compat/django:<django sdist>/tests python compat/django/run.py

It is Django's own test runner (``DiscoverRunner``) over ``sessionware_compat``, whose
classes subclass Django's ``SessionTestsMixin`` and ``SessionMiddlewareTests``.
"""

import collections
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compat_settings")

import django
from django.test.runner import DiscoverRunner

ENGINES = {
    "CookieEngineTests": "cookie (SessionTestsMixin)",
    "CookieEngineMiddlewareTests": "cookie (SessionMiddlewareTests)",
    "StoreEngineMemoryTests": "store memory:// (SessionTestsMixin)",
    "StoreEngineSQLiteTests": "store sqlite:/// (SessionTestsMixin)",
    "StoreEngineRedisTests": "store redis:// (SessionTestsMixin)",
    "StoreEnginePostgresTests": "store postgresql:// (SessionTestsMixin)",
    "StoreEngineMiddlewareTests": "store memory:// (SessionMiddlewareTests)",
    "StoreEngineSQLiteMiddlewareTests": "store sqlite:/// (SessionMiddlewareTests)",
    "CookieEngineEmptiedSessionTests": "cookie (ours: emptied session is saved)",
    "StoreEngineEmptiedSessionTests": "store memory:// (ours: emptied session is saved)",
}


def _tests(suite):
    for test in suite:
        if hasattr(test, "__iter__"):
            yield from _tests(test)
        else:
            yield test


def _summarize(ran, result):
    counts = collections.defaultdict(collections.Counter)
    for name, number in ran.items():
        counts[name]["ran"] = number
    for kind in ("failures", "errors", "skipped", "expectedFailures", "unexpectedSuccesses"):
        for entry in getattr(result, kind):
            test = entry[0] if isinstance(entry, tuple) else entry
            counts[type(test).__name__][kind] += 1
    print(f"\nDjango {django.get_version()} on Python {sys.version.split()[0]}:")
    for name, label in ENGINES.items():
        c = counts.get(name)
        if c is None:
            continue
        bad = c["failures"] + c["errors"] + c["unexpectedSuccesses"]
        passed = c["ran"] - bad - c["skipped"] - c["expectedFailures"]
        print(
            f"  {label:44} {c['ran']:3} tests: {passed:3} passed, {c['skipped']:2} skipped, "
            f"{bad} failed"
        )


class Runner(DiscoverRunner):
    def run_suite(self, suite, **kwargs):
        # Count first: running a suite empties it.
        ran = collections.Counter(type(test).__name__ for test in _tests(suite))
        result = super().run_suite(suite, **kwargs)
        _summarize(ran, result)
        return result


if __name__ == "__main__":
    django.setup()
    failures = Runner(verbosity=int(os.environ.get("VERBOSITY", "1"))).run_tests(
        ["sessionware_compat"]
    )
    sys.exit(bool(failures))
