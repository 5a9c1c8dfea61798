"""Run one docs snippet as a reader would, then call the app it builds once.

``python -m tests._snippet`` imports ``snippet.py`` from the current directory (a fresh
temporary one) under the module name ``snippet``, so ``if __name__ == "__main__":`` guards
around a serving call stay closed, as they would for an importer such as gunicorn. Then:

- a module-level ``app`` is called once, ``GET /``: a WSGI app through werkzeug's test
  ``Client`` inside ``wsgiref.validate.validator``, an ASGI app (``__call__`` is a coroutine
  function) through Starlette's ``TestClient``; a 5xx or an exception fails the snippet;
- module-level functions named ``test_*`` that take no arguments are called, as pytest
  would call them, so a printed test runs too;
- a block whose first line is ``# settings.py`` is a Django settings module: Django is
  configured with its upper-case names (plus the auth apps a project has), set up, and
  its ``SESSION_ENGINE`` and ``MIDDLEWARE`` entries imported, so a misspelt path fails.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from pathlib import Path
from typing import Any


def call_once(app: Any) -> int:
    """The status of one ``GET /`` to ``app``."""
    if inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(type(app).__call__):
        from starlette.testclient import TestClient

        # No lifespan events: a bare ASGI app need not answer them (uvicorn's default).
        return TestClient(app).get("/").status_code
    from wsgiref.validate import validator

    from werkzeug.test import Client

    return Client(validator(app)).get("/").status_code


def check_django_settings(module: Any) -> None:
    """Configure Django with ``module``'s settings and import the dotted paths they name."""
    import django
    from django.conf import settings

    names = {name: getattr(module, name) for name in dir(module) if name.isupper()}
    names.setdefault("SECRET_KEY", "docs-snippet-" + "k" * 40)
    # What a project's settings.py around the printed lines would have.
    names.setdefault("INSTALLED_APPS", ["django.contrib.contenttypes", "django.contrib.auth"])
    settings.configure(**names)
    django.setup()
    for dotted in [names.get("SESSION_ENGINE", ""), *names.get("MIDDLEWARE", [])]:
        if dotted:
            module_name, _, attribute = dotted.rpartition(".")
            try:
                importlib.import_module(dotted)
            except ImportError:
                getattr(importlib.import_module(module_name), attribute)


def main() -> None:
    sys.path.insert(0, str(Path.cwd()))
    source = Path("snippet.py").read_text(encoding="utf-8")
    module = importlib.import_module("snippet")
    if source.startswith("# settings.py"):
        check_django_settings(module)
    tests = [v for k, v in vars(module).items() if k.startswith("test_") and inspect.isfunction(v)]
    for test in tests:
        if not inspect.signature(test).parameters:
            test()
    app = getattr(module, "app", None)
    if app is not None:
        status = call_once(app)
        if status >= 500:
            sys.exit(f"GET / to the snippet's app answered {status}")


if __name__ == "__main__":
    main()
