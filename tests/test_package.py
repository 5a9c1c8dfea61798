"""What ``python -m build`` makes: a wheel that holds the package and no more, and an sdist
that holds the whole source release, whose own tests pass from it against the built wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest

from tests._servers import clean_env

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An sdist and the wheel built from it, as ``make dist`` builds them."""
    if not (ROOT / "pyproject.toml").exists():
        pytest.skip("no pyproject.toml: run from a checkout of sessionware")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> zipfile.ZipFile:
    [built] = dist.glob("sessionware-*.whl")
    return zipfile.ZipFile(built)


@pytest.fixture(scope="module")
def sdist(dist: Path) -> list[str]:
    """The sdist's files, relative to its top folder."""
    [built] = dist.glob("sessionware-*.tar.gz")
    with tarfile.open(built) as archive:
        members = [m for m in archive.getmembers() if m.isfile()]
    top = {m.name.split("/", 1)[0] for m in members}
    assert top == {built.name.removesuffix(".tar.gz")}
    return sorted(m.name.split("/", 1)[1] for m in members)


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


def test_sessionware_runs_without_werkzeug_which_only_flask_and_quart_need(
    wheel: zipfile.ZipFile,
) -> None:
    """Its one dependency is itsdangerous: every module but the Flask and Quart bridges
    (both frameworks are built on werkzeug) imports without werkzeug, and a request
    through the middleware sets its cookie."""
    requirements = _metadata(wheel).get_all("Requires-Dist") or []
    assert [r for r in requirements if ";" not in r] == ["itsdangerous>=2.2"]
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_WERKZEUG], capture_output=True, text=True, check=True
    )
    failed, headers = result.stdout.splitlines()
    assert failed == "['sessionware.flask', 'sessionware.quart']"
    assert "Set-Cookie" in headers


#: Files the sdist must ship for its tests to run: the suite's fixtures and helpers, its
#: subpackages and their conftest, the Django project, the data the tests read (docs,
#: examples and their ini files), and what the Makefile's targets need.
NEEDED = [
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/_servers.py",
    "tests/_docs.py",
    "tests/asgi/conftest.py",
    "tests/asgi/_asgi.py",
    "tests/stores/contract.py",
    "tests/flask_compat/plugin.py",
    "tests/_django_project/settings.py",
    "docs/lifetime.md",
    "docs/_static/bench.svg",
    "examples/plain_app.py",
    "examples/paste.ini",
    "bench/__main__.py",
    "compat/django/run.sh",
    "compat/starlette_plugin.py",
    "fuzz/fuzz_cookie.py",
    "CHANGES.md",
    "LICENSE",
    "Makefile",
    "README.md",
    "pyproject.toml",
    "sessionware/py.typed",
]


def test_the_sdist_holds_the_suite_docs_examples_and_makefile(sdist: list[str]) -> None:
    assert [name for name in NEEDED if name not in sdist] == []
    assert [n for n in sdist if "__pycache__" in n or n.endswith((".pyc", ".pyo"))] == []
    assert not [n for n in sdist if n.startswith((".venv/", ".compat/", "dist/", ".ci/"))]


def test_the_sdist_ships_every_file_of_the_checkout_but_the_ci_entry(sdist: list[str]) -> None:
    """A new test helper or data file is shipped without anyone editing MANIFEST.in."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to compare the sdist with")
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    present = {name for name in listed if (ROOT / name).is_file()}
    left_out = sorted(present - set(sdist))
    assert [n for n in left_out if not n.startswith(".ci/")] == [".gitignore"]
    generated = sorted(set(sdist) - present)
    assert [n for n in generated if not n.startswith("sessionware.egg-info/")] == [
        "PKG-INFO",
        "setup.cfg",
    ]


#: A fast subset of the sdist's own tests that needs what the sdist ships: the conftest's
#: fixtures and helpers, two subpackages with their helpers and conftest, the docs the links
#: test reads, and the examples.
SDIST_SUBSET = [
    "tests/test_docs_test_links.py",
    "tests/stores/test_memory.py",
    "tests/asgi/test_middleware.py",
    "tests/test_examples.py",
    "tests/test_paste.py",
]

#: A pytest plugin that names, in the report's header, where sessionware was imported from.
WHERE = """
def pytest_report_header(config):
    import sessionware

    return f"sessionware from {sessionware.__file__}"
"""


def test_the_sdists_own_tests_pass_from_it_against_the_installed_wheel(
    dist: Path, tmp_path: Path
) -> None:
    [archive] = dist.glob("sessionware-*.tar.gz")
    with tarfile.open(archive) as opened:
        opened.extractall(tmp_path / "unpacked", filter="data")
    [source] = (tmp_path / "unpacked").iterdir()
    # The package comes from the wheel, not from the sources beside the tests.
    shutil.rmtree(source / "sessionware")
    site = tmp_path / "site"
    [built] = dist.glob("sessionware-*.whl")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site),
            str(built),
        ],
        check=True,
        capture_output=True,
    )
    (tmp_path / "plugin").mkdir()
    (tmp_path / "plugin" / "sessionware_where.py").write_text(WHERE)
    env = clean_env(PYTHONPATH=os.pathsep.join([str(site), str(tmp_path / "plugin")]))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "sessionware_where",
            *SDIST_SUBSET,
        ],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert f"sessionware from {site / 'sessionware' / '__init__.py'}" in result.stdout
    assert f"rootdir: {source}" in result.stdout
    assert " passed" in result.stdout.splitlines()[-1]
    assert "skipped" not in result.stdout.splitlines()[-1]


def test_the_readme_install_section_names_every_extra() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    install = readme.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
    with (ROOT / "pyproject.toml").open("rb") as file:
        extras = tomllib.load(file)["project"]["optional-dependencies"]
    assert [name for name in extras if f"[{name}]" not in install] == []
