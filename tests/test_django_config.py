"""The Django engines' settings: from Django's, overridden by SESSIONWARE, checked at start-up."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from sessionware.django import _config
from tests._django import run
from tests._servers import ROOT, clean_env
from tests.conftest import SECRET

BASE: dict[str, Any] = {
    "SECRET_KEY": SECRET,
    "SECRET_KEY_FALLBACKS": [],
    "SESSION_COOKIE_NAME": "sessionid",
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSIONWARE": {},
    "SESSIONWARE_STORE_URL": "memory://",
}


@pytest.fixture(autouse=True)
def base() -> Iterator[None]:
    with override_settings(**BASE):
        yield


def sessionware(**options: Any) -> dict[str, Any]:
    """Django settings whose ``SESSIONWARE`` dict holds ``options``."""
    return {"SESSIONWARE": options}


# What each engine refuses to start with, and what its error must say.
MISCONFIGURED: dict[_config.Engine, dict[str, tuple[dict[str, Any], str]]] = {
    "cookie": {
        "not-a-dict": ({"SESSIONWARE": ["secret"]}, "SESSIONWARE must be a dict"),
        "unknown-key": (sessionware(secret="x"), "SESSIONWARE has unknown key(s) 'secret'"),
        "store-option-on-cookie-engine": (
            sessionware(store_url="memory://"),
            "unknown key(s) 'store_url' for SESSION_ENGINE='sessionware.django.cookie'",
        ),
        "cookie-name-django-writes": (
            sessionware(cookie_name="session"),
            "set SESSION_COOKIE_NAME = 'session' instead",
        ),
        "partitioned": (sessionware(cookie_partitioned=True), "has no Partitioned setting"),
        "samesite-none-insecure": (
            {"SESSION_COOKIE_SAMESITE": "None"},
            "here cookie_secure is SESSION_COOKIE_SECURE, cookie_samesite is "
            "SESSION_COOKIE_SAMESITE",
        ),
        "bad-override": (
            sessionware(permanent_lifetime="long"),
            "permanent_lifetime is SESSIONWARE['permanent_lifetime']",
        ),
        "empty-key": (sessionware(secret_key=""), "need a secret key"),
        "serializer": (
            {"SESSION_SERIALIZER": "myapp.PickleSerializer"},
            "SESSION_SERIALIZER='myapp.PickleSerializer' is not used",
        ),
        "bad-digest": (sessionware(digest_method="md17"), "cannot be built: digest_method='md17'"),
    },
    "store": {
        "no-store": ({"SESSIONWARE_STORE_URL": ""}, "it needs a store: set SESSIONWARE_STORE_URL"),
        "unknown-store": (
            {"SESSIONWARE_STORE_URL": "mongodb://u:hunter2@h/db"},
            "the scheme 'mongodb' names no store",
        ),
        "store-options": (sessionware(store_options=["x"]), "store_options'] must be a dict"),
        "bad-interface-option": (sessionware(touch_interval=-1), "touch_interval must be"),
    },
}


@pytest.mark.parametrize(
    ("engine", "settings", "message"),
    [
        pytest.param(engine, settings, message, id=name)
        for engine, cases in MISCONFIGURED.items()
        for name, (settings, message) in cases.items()
    ],
)
def test_misconfiguration_names_the_setting_and_the_fix(
    engine: _config.Engine, settings: dict[str, Any], message: str
) -> None:
    with override_settings(**settings), pytest.raises(ImproperlyConfigured) as info:
        _config.load(engine)
    assert message in str(info.value)
    assert SECRET not in str(info.value)
    assert "hunter2" not in str(info.value)


def test_agreeing_cookie_settings_in_sessionware_are_accepted() -> None:
    with override_settings(
        SESSION_COOKIE_DOMAIN=".example.com",
        SESSION_COOKIE_SAMESITE=False,
        SESSIONWARE={"cookie_domain": "example.com", "cookie_samesite": None},
    ):
        config = _config.load("cookie").config
    assert config.cookie_domain == "example.com"
    assert config.cookie_samesite is None


def test_a_shared_key_does_not_inherit_djangos_fallbacks() -> None:
    with override_settings(
        SECRET_KEY_FALLBACKS=["old-" + "o" * 40], SESSIONWARE={"secret_key": "s" * 40}
    ):
        config = _config.load("cookie").config
    assert config.secret_key == "s" * 40
    assert config.secret_key_fallbacks == ()


def test_the_lifetime_reaches_djangos_max_age() -> None:
    from django.http import HttpRequest, HttpResponse

    def view(request: HttpRequest) -> HttpResponse:
        request.session["a"] = 1
        return HttpResponse("ok")

    with override_settings(
        SESSION_ENGINE="sessionware.django.cookie", SESSIONWARE={"permanent_lifetime": 300}
    ):
        response = run(view)
    assert response.cookies["sessionid"]["max-age"] == 300


def test_other_settings_changes_keep_the_built_config() -> None:
    first = _config.load("cookie")
    with override_settings(DEBUG=True):
        assert _config.load("cookie") is first


def test_a_wrong_setting_stops_the_wsgi_app_at_start_up(tmp_path: Path) -> None:
    code = (
        "import django\n"
        "from django.conf import settings\n"
        "settings.configure(SECRET_KEY='k' * 40, ROOT_URLCONF=[],"
        " SESSION_ENGINE='sessionware.django.store',"
        " MIDDLEWARE=['django.contrib.sessions.middleware.SessionMiddleware'])\n"
        "django.setup()\n"
        "from django.core.wsgi import get_wsgi_application\n"
        "get_wsgi_application()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean_env(), capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "set SESSIONWARE_STORE_URL" in result.stderr


def test_import_sessionware_imports_no_django_and_a_missing_django_names_the_extra() -> None:
    code = (
        "import sys\n"
        "import sessionware, sessionware.stores, sessionware.stores._url\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'\n"
        "sys.modules['django'] = None\n"
        "try:\n    import sessionware.django.cookie\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "pip install sessionware[django]" in result.stdout
