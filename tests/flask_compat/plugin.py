"""Run Flask's own tests with every Flask app on sessionware (``make flask-compat``).

Also loaded into Flask-WTF's unchanged suite (``make ecosystem-compat``), which builds its
apps from a ``flask.Flask`` subclass and needs no expected failure.

Loaded with ``-p tests.flask_compat.plugin`` into Flask's unchanged test suite: every
``Flask(...)`` the tests build calls :func:`sessionware.flask.bridge.init_app` right
after it is created, and nothing else of Flask or its tests is touched. With
``COMPAT_SESSION_INTERFACE=server-side`` the apps keep their sessions in a
:class:`~sessionware.MemoryStore` instead of the cookie.
"""

from __future__ import annotations

import os
from typing import Any

import _pytest.monkeypatch
import flask
import pytest
from _pytest.compat import NOTSET

from sessionware import MemoryStore, ServerSideSessionInterface
from sessionware.flask.bridge import init_app

_flask_init = flask.Flask.__init__

#: Flask tests whose expectation sessionware does not meet on purpose: the reason (the
#: README's Flask section lists the same) and the error the test fails with. Marked
#: strict xfail: if one passes, or fails with another error, the run fails, so this
#: list cannot go stale or hide a new failure.
DIFFERENCES: dict[str, tuple[str, type[BaseException]]] = {
    "tests/test_basic.py::test_session_refresh_vary": (
        "lazy sessions: a request whose view never touches the session does not open "
        "it, so a permanent cookie is not re-issued and no Vary: Cookie is sent",
        KeyError,  # the response has no Vary header
    ),
    "tests/test_reqctx.py::test_session_dynamic_cookie_name": (
        "init_app replaces the app's session interface, here a subclass of Flask's "
        "own that picks the cookie name per request; with sessionware, customise a "
        "sessionware SessionInterface instead",
        AssertionError,
    ),
}
#: Further differences of the server-side interface (``COMPAT_SESSION_INTERFACE``).
SERVER_SIDE_DIFFERENCES: dict[str, tuple[str, type[BaseException]]] = {
    "tests/test_basic.py::test_session_accessed": (
        "the server-side interface clears `modified` once the changes are in the store "
        "(so that closing the response does not store them twice); the test reads "
        "`modified` after the response",
        AssertionError,
    ),
    "tests/test_basic.py::test_session_using_session_settings": (
        "an emptied server-side session keeps its ID and cookie (an empty record); "
        "session.invalidate() ends it and deletes the cookie",
        AssertionError,
    ),
    "tests/test_basic.py::test_session_cookie_setting": (
        "refresh_each_request re-issues a server-side cookie at most once per "
        "touch_interval (60 s), sparing the store a write on every request",
        AssertionError,
    ),
}


_SERVER_SIDE = os.environ.get("COMPAT_SESSION_INTERFACE") == "server-side"
_apps_bridged = 0


def _init_then_sessionware(self: flask.Flask, *args: Any, **kwargs: Any) -> None:
    global _apps_bridged
    _flask_init(self, *args, **kwargs)
    if _SERVER_SIDE:
        init_app(self, interface=ServerSideSessionInterface(MemoryStore()))
    else:
        init_app(self)
    _apps_bridged += 1


def pytest_configure(config: pytest.Config) -> None:
    """Patch ``Flask.__init__`` before Flask's tests build any app."""
    # Flask 3.1.3's conftest.py uses _pytest.monkeypatch.notset, which pytest 9 renamed;
    # restore the old name so that conftest.py runs unchanged.
    if not hasattr(_pytest.monkeypatch, "notset"):
        _pytest.monkeypatch.notset = NOTSET  # type: ignore[attr-defined]
    flask.Flask.__init__ = _init_then_sessionware  # type: ignore[method-assign]
    # Flask's tests sign with "test key"; sessionware warns about keys under 32 bytes,
    # and Flask's suite turns every warning into an error. Flask itself does not warn.
    config.addinivalue_line("filterwarnings", "ignore::sessionware.errors.InsecureSecretWarning")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the known design differences as strict expected failures."""
    for item in items:
        difference = DIFFERENCES.get(item.nodeid)
        if difference is None and _SERVER_SIDE:
            difference = SERVER_SIDE_DIFFERENCES.get(item.nodeid)
        if difference is not None:
            reason, error = difference
            item.add_marker(pytest.mark.xfail(reason=reason, raises=error, strict=True))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many Flask apps ran on sessionware, so a no-op run cannot pass unseen."""
    terminalreporter.write_line(
        f"sessionware: init_app(app) ran on {_apps_bridged} Flask apps built by the tests, "
        f"with the {'server-side' if _SERVER_SIDE else 'signed-cookie'} interface"
    )
