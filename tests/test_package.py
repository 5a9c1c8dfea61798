"""The built wheel is what a user installs: the package, its type marker and licence, no more."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    if not (ROOT / "pyproject.toml").exists():
        pytest.skip("no pyproject.toml: run from a checkout of sessionware")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [built] = out.glob("sessionware-*.whl")
    return zipfile.ZipFile(built)


def test_the_wheel_holds_the_package_and_its_metadata_only(wheel: zipfile.ZipFile) -> None:
    names = wheel.namelist()
    stray = [n for n in names if not n.startswith(("sessionware/", "sessionware-"))]
    assert stray == []
    assert "sessionware/py.typed" in names
    assert not [n for n in names if "/tests/" in n or n.startswith("tests/")]
    assert not [n for n in names if n.endswith((".pyc", ".orig", ".rej"))]


def test_the_wheel_carries_the_licence_as_a_pep_639_expression(wheel: zipfile.ZipFile) -> None:
    metadata = _metadata(wheel)
    assert metadata["License-Expression"] == "BSD-3-Clause"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel.namelist())
    assert "WSGI and ASGI" in metadata["Summary"]
    classifiers = metadata.get_all("Classifier") or []
    for version in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers


def _metadata(wheel: zipfile.ZipFile) -> Message:
    [metadata_name] = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return Parser().parsestr(wheel.read(metadata_name).decode("utf-8"))


def test_the_developers_pins_are_not_published_as_extras(wheel: zipfile.ZipFile) -> None:
    """The test and bench pins are dependency groups (PEP 735), not extras a user could ask for."""
    metadata = _metadata(wheel)
    extras = metadata.get_all("Provides-Extra") or []
    assert "test" not in extras
    assert "bench" not in extras
    requirements = metadata.get_all("Requires-Dist") or []
    pinned = [r for r in requirements if "==" in r.partition(";")[0]]
    assert pinned == []


def test_the_metadata_links_the_project_and_offers_the_user_facing_extras(
    wheel: zipfile.ZipFile,
) -> None:
    metadata = _metadata(wheel)
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Documentation", "Source", "Changelog", "Issues"}
    assert all(u.startswith("https://github.com/sessionware/sessionware") for u in urls.values())
    extras = set(metadata.get_all("Provides-Extra") or [])
    assert {"flask", "paste", "gunicorn", "asgi", "redis", "sql", "crypto", "django"} <= extras
    requirements = metadata.get_all("Requires-Dist") or []
    assert any(r.startswith("gunicorn>=") and 'extra == "gunicorn"' in r for r in requirements)


WITHOUT_WERKZEUG = """
import importlib, pkgutil, sys

class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] == "werkzeug":
            raise ImportError("werkzeug is not installed")

sys.meta_path.insert(0, Refuse())
import sessionware
from sessionware import SessionMiddleware
from wsgiref.util import setup_testing_defaults

failed = []
for module in pkgutil.walk_packages(sessionware.__path__, "sessionware."):
    try:
        importlib.import_module(module.name)
    except ImportError:
        failed.append(module.name)
print(sorted(failed))

def app(environ, start_response):
    environ["session"]["n"] = 1
    start_response("200 OK", [])
    return [b""]

environ = {}
setup_testing_defaults(environ)
headers = []
SessionMiddleware(app, secret_key="k" * 32)(environ, lambda s, h, e=None: headers.extend(h))
print([name for name, _ in headers])
"""


def test_sessionware_runs_without_werkzeug_which_only_flask_needs(
    wheel: zipfile.ZipFile,
) -> None:
    """Its one dependency is itsdangerous: every module but the Flask bridge imports without
    werkzeug, and a request through the middleware sets its cookie."""
    requirements = _metadata(wheel).get_all("Requires-Dist") or []
    assert [r for r in requirements if ";" not in r] == ["itsdangerous>=2.2"]
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_WERKZEUG], capture_output=True, text=True, check=True
    )
    failed, headers = result.stdout.splitlines()
    assert failed == "['sessionware.flask']"
    assert "Set-Cookie" in headers
