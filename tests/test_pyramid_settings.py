"""Building the Pyramid session factory: arguments, ini settings, environment, mistakes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from paste.deploy import loadapp
from werkzeug.test import Client

from sessionware import MemoryStore, ServerSideSessionInterface, SessionConfig
from sessionware.pyramid import SessionFactory, factory_from_settings, session_factory
from tests._pyramid_apps import make_app
from tests._servers import ROOT, clean_env
from tests.conftest import SECRET

#: What tests' ``sessionware.interface`` settings point at.
SERVER_SIDE = ServerSideSessionInterface(MemoryStore())


def make_server_side() -> ServerSideSessionInterface:
    return SERVER_SIDE


NOT_AN_INTERFACE = object()


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Start every test from an environment without SESSIONWARE_* variables."""
    for name in [name for name in clean_env() if name.startswith("SESSIONWARE_")]:
        monkeypatch.delenv(name)  # pragma: no cover - only where the machine sets them


def test_settings_config_and_interface_are_passed_on() -> None:
    factory = session_factory(secret_key=SECRET, cookie_name="pyr")
    assert factory.config.cookie_name == "pyr"
    config = SessionConfig(secret_key=SECRET)
    factory = session_factory(config, interface=SERVER_SIDE)
    assert factory.config is config
    assert factory.interface is SERVER_SIDE
    assert "ServerSideSessionInterface" in repr(factory)
    assert SECRET not in repr(factory)
    assert "from SessionMiddleware" in repr(session_factory(from_middleware=True))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        pytest.param(
            lambda: session_factory(),
            ValueError,
            r"no secret key.*secret_key=\.\.\..*from_middleware=True",
            id="no-key",
        ),
        pytest.param(
            lambda: session_factory(SessionConfig(secret_key=SECRET), cookie_name="x"),
            TypeError,
            r"either config= or settings \(cookie_name\)",
            id="config-and-settings",
        ),
        pytest.param(
            lambda: session_factory({"secret_key": SECRET}),  # type: ignore[arg-type]
            TypeError,
            "config must be a SessionConfig, got dict",
            id="config-type",
        ),
        pytest.param(
            lambda: session_factory(secret_key=SECRET, interface="cookie"),  # type: ignore[arg-type]
            TypeError,
            "interface must be a SessionInterface, got str",
            id="interface-type",
        ),
        pytest.param(
            lambda: session_factory(from_middleware=True, secret_key=SECRET),
            TypeError,
            r"takes its settings from\s+SessionMiddleware, but secret_key was given",
            id="middleware-and-key",
        ),
        pytest.param(
            lambda: session_factory(from_middleware=True, interface=SERVER_SIDE),
            TypeError,
            "but interface was given",
            id="middleware-and-interface",
        ),
        pytest.param(
            lambda: session_factory(secret_key=SECRET, cookie_samesite="Loose"),
            ValueError,
            "cookie_samesite='Loose' is not allowed",
            id="bad-setting",
        ),
    ],
)
def test_mistakes_fail_when_the_factory_is_built(call: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call()


def test_ini_settings_win_and_the_environment_fills_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    monkeypatch.setenv("SESSIONWARE_COOKIE_NAME", "from_env")
    monkeypatch.setenv("SESSIONWARE_COOKIE_SECURE", "true")
    factory = factory_from_settings(
        {"sessionware.cookie_name": "from_ini", "sessionware.max_cookie_size": 2000, "other": 1}
    )
    assert factory.config.cookie_name == "from_ini"
    assert factory.config.cookie_secure is True
    assert factory.config.max_cookie_size == 2000
    assert factory.config.secret_key == SECRET


def test_a_key_in_the_ini_hides_the_environments_key_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY_FILE", str(tmp_path / "missing"))
    factory = factory_from_settings({"sessionware.secret_key": SECRET})
    assert factory.config.secret_key == SECRET


def test_include_sets_the_factory_from_the_settings() -> None:
    settings = {"sessionware.secret_key": SECRET, "sessionware.cookie_name": "pyr"}
    browser = Client(make_app(settings=settings))
    response = browser.get("/count")
    assert response.status_code == 200
    assert response.headers["Set-Cookie"].startswith("pyr=")


def test_the_interface_setting_takes_an_instance_or_a_callable() -> None:
    for name in (
        "tests.test_pyramid_settings:SERVER_SIDE",
        "tests.test_pyramid_settings:make_server_side",
    ):
        factory = factory_from_settings(
            {"sessionware.secret_key": SECRET, "sessionware.interface": name}
        )
        assert factory.interface is SERVER_SIDE
    # A class is a callable returning one.
    factory = factory_from_settings(
        {
            "sessionware.secret_key": SECRET,
            "sessionware.interface": "sessionware:SecureCookieSessionInterface",
        }
    )
    assert type(factory.interface).__name__ == "SecureCookieSessionInterface"


def test_the_interface_setting_resolves_relative_to_the_app() -> None:
    settings = {
        "sessionware.secret_key": SECRET,
        "sessionware.interface": ".test_pyramid_settings:SERVER_SIDE",
    }
    from pyramid.config import Configurator

    config = Configurator(settings=settings, package="tests")
    config.include("sessionware.pyramid")
    config.commit()
    from pyramid.interfaces import ISessionFactory

    factory = config.registry.getUtility(ISessionFactory)
    assert isinstance(factory, SessionFactory)
    assert factory.interface is SERVER_SIDE


def test_from_middleware_in_the_ini(monkeypatch: pytest.MonkeyPatch) -> None:
    factory = factory_from_settings({"sessionware.from_middleware": "true"})
    assert factory.from_middleware
    assert factory.config.environ_key == "session"
    monkeypatch.setenv("SESSIONWARE_ENVIRON_KEY", "sw")
    assert factory_from_settings({"sessionware.from_middleware": "yes"}).config.environ_key == "sw"
    factory = factory_from_settings(
        {"sessionware.from_middleware": "on", "sessionware.environ_key": "ini"}
    )
    assert factory.config.environ_key == "ini"


@pytest.mark.parametrize(
    ("settings", "error", "message"),
    [
        pytest.param(
            {},
            ValueError,
            r"In the Pyramid settings \(sessionware\.\*, SESSIONWARE_\*\): session_factory\(\) "
            r"has no secret key",
            id="no-key",
        ),
        pytest.param(
            {"sessionware.cookie_secure": "maybe"},
            ValueError,
            r"sessionware\.cookie_secure='maybe' is not a boolean; use true or false",
            id="bad-flag",
        ),
        pytest.param(
            {"sessionware.cookie_nmae": "x"},
            ValueError,
            r"unknown session setting\(s\) sessionware\.cookie_nmae",
            id="typo",
        ),
        pytest.param(
            {"sessionware.secret_key": SECRET, "sessionware.cookie_samesite": "None"},
            ValueError,
            "cookie_samesite='None' requires cookie_secure=True",
            id="combination",
        ),
        pytest.param(
            {"sessionware.from_middleware": "perhaps"},
            ValueError,
            r"sessionware\.from_middleware='perhaps' is not a boolean",
            id="bad-from-middleware",
        ),
        pytest.param(
            {"sessionware.from_middleware": "true", "sessionware.cookie_name": "x"},
            TypeError,
            "but cookie_name was given",
            id="middleware-and-setting",
        ),
        pytest.param(
            {"sessionware.interface": "tests.nowhere:thing"},
            ValueError,
            r"sessionware\.interface='tests\.nowhere:thing' cannot be imported",
            id="interface-missing",
        ),
        pytest.param(
            {"sessionware.interface": "tests.test_pyramid_settings:NOT_AN_INTERFACE"},
            TypeError,
            r"is a object, not a SessionInterface",
            id="interface-wrong",
        ),
    ],
)
def test_ini_mistakes_fail_at_start_up_naming_the_setting(
    settings: dict[str, str], error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        factory_from_settings(settings)


def test_an_ini_secret_never_shows_in_errors() -> None:
    with pytest.raises(ValueError, match="cookie_samesite") as info:
        factory_from_settings(
            {"sessionware.secret_key": SECRET, "sessionware.cookie_samesite": "None"}
        )
    assert SECRET not in str(info.value)


def test_the_example_ini_builds_the_pyramid_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    app = loadapp("config:examples/pyramid.ini", relative_to=str(ROOT))
    browser = Client(app)
    response = browser.get("/whoami")
    assert json.loads(response.text) == {"user": None, "visits": 0}
    response = browser.get("/")
    assert response.headers["Set-Cookie"].startswith("demo_session=")
    assert "Max-Age" not in response.headers["Set-Cookie"]


def test_importing_sessionware_imports_no_framework() -> None:
    code = (
        "import sys, sessionware, sessionware.wsgi.paste; "
        "print(sorted(m for m in ('pyramid', 'zope', 'bottle', 'falcon', 'flask') "
        "if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_without_pyramid_the_error_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['pyramid'] = None\n"
        "try:\n    import sessionware.pyramid\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert "pip install sessionware[pyramid]" in result.stdout


def test_a_paste_pipeline_with_the_filter_and_a_from_middleware_app(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    path = tmp_path / "site.ini"
    path.write_text(
        "[pipeline:main]\npipeline = session pyramid\n\n"
        "[filter:session]\nuse = egg:sessionware\ncookie_name = piped\n\n"
        "[app:pyramid]\nuse = call:examples.pyramid_app:main\n"
        "sessionware.from_middleware = true\n"
    )
    browser = Client(loadapp(f"config:{path}"))
    response = browser.get("/")
    assert response.headers.getlist("Set-Cookie")[0].startswith("piped=")
    assert json.loads(browser.get("/whoami").text) == {"user": None, "visits": 1}


def test_fallback_keys_in_the_ini_hide_the_environments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    monkeypatch.setenv(
        "SESSIONWARE_SECRET_KEY_FALLBACKS", "an-env-fallback-key-that-is-long-enough"
    )
    factory = factory_from_settings(
        {"sessionware.secret_key_fallbacks": "an-ini-fallback-key-that-is-long-enough"}
    )
    assert factory.config.secret_key_fallbacks == ("an-ini-fallback-key-that-is-long-enough",)
    assert factory.config.secret_key == SECRET


def test_pyramid_includes_in_the_settings_sets_the_factory() -> None:
    from pyramid.config import Configurator

    settings = {"pyramid.includes": "sessionware.pyramid", "sessionware.secret_key": SECRET}
    with Configurator(settings=settings) as config:
        config.add_route("count", "/")
        config.add_view(
            lambda request: {"n": request.session.setdefault("n", 7)},
            route_name="count",
            renderer="json",
        )
    browser = Client(config.make_wsgi_app())
    assert json.loads(browser.get("/").text) == {"n": 7}
    assert browser.get_cookie("session") is not None
