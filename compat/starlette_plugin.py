"""A pytest plugin that runs Starlette's own session tests against sessionware.

``make starlette-compat`` runs Starlette's unchanged ``tests/middleware/test_session.py``
with ``-p starlette_plugin``. The plugin is imported before any test module, so
replacing the ``SessionMiddleware`` attribute of ``starlette.middleware.sessions`` here
means the tests' own ``from starlette.middleware.sessions import SessionMiddleware``
gets sessionware's. The tests that check a cookie-format detail in which sessionware
deliberately differs are marked as expected failures (strict: should one start to
pass, the run fails and this list must be updated), each with its reason; the same
reasons are in docs/asgi.md.
"""

from __future__ import annotations

import hashlib

import pytest
import starlette
import starlette.middleware.sessions

import sessionware.asgi

starlette.middleware.sessions.SessionMiddleware = sessionware.asgi.SessionMiddleware  # type: ignore[misc,assignment]

#: test id -> why sessionware's cookie differs there.
DIFFERENCES = {
    "test_partitioned_session[asyncio-True]": (
        "sessionware writes attribute names as Flask/werkzeug do ('Partitioned', byte for "
        "byte Flask's cookie); the test looks for lowercase 'partitioned'"
    ),
    "test_session_cookie_subpath[asyncio]": (
        "sessionware writes 'Path=' as Flask/werkzeug do; the test's regex wants lowercase 'path='"
    ),
    "test_domain_cookie[asyncio]": (
        "sessionware writes 'Domain=example.com' as werkzeug does: capitalised, and without "
        "the leading dot, which RFC 6265 tells browsers to ignore; the test looks for "
        "'domain=.example.com'"
    ),
}


def pytest_configure(config: pytest.Config) -> None:
    # The tests sign with secret_key="example" (7 bytes), which draws sessionware's
    # InsecureSecretWarning; Starlette's filterwarnings=error would make it an error.
    config.addinivalue_line("filterwarnings", "ignore::sessionware.InsecureSecretWarning")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        reason = DIFFERENCES.get(item.name)
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))


def pytest_report_header(config: pytest.Config) -> list[str]:
    tests = config.rootpath / "tests" / "middleware" / "test_session.py"
    digest = hashlib.sha256(tests.read_bytes()).hexdigest() if tests.exists() else "missing"
    return [
        "sessionware: starlette.middleware.sessions.SessionMiddleware is "
        f"{sessionware.asgi.SessionMiddleware.__module__}.SessionMiddleware",
        f"sessionware: Starlette {starlette.__version__}, tests/middleware/test_session.py "
        f"sha256 {digest} (as shipped in the sdist)",
    ]
