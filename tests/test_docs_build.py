"""The docs site builds with no warning and documents the whole public API.

What ``make docs`` builds, without writing HTML: Sphinx's ``dummy`` builder reads every page
(MyST Markdown), resolves every cross-reference, heading anchor and toctree entry, and
imports every module the API reference documents, so a broken link, a page left out of the
toctree or a docstring Sphinx cannot parse fails here.
"""

from __future__ import annotations

import dataclasses
import importlib
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sessionware import SessionConfig

ROOT = Path(__file__).resolve().parent.parent
MISSING = "the docs extra is missing: pip install -e '.[docs]'"

# The modules users import, each documented in docs/api.md with every name of its __all__.
PUBLIC = [
    "sessionware",
    "sessionware.asgi",
    "sessionware.events",
    "sessionware.flask",
    "sessionware.litestar",
    "sessionware.pyramid",
    "sessionware.quart",
    "sessionware.stores",
    "sessionware.stores.aioredis",
    "sessionware.stores.aiosql",
    "sessionware.stores.redis",
    "sessionware.stores.sql",
    "sessionware.testing",
]


# Names documented under another module: sessionware.stores re-exports sessionware's own
# store classes, and its network stores are documented in the modules users import them from.
ELSEWHERE = {
    "sessionware.stores.MemoryStore": "sessionware.MemoryStore",
    "sessionware.stores.Store": "sessionware.Store",
    "sessionware.stores.StoreError": "sessionware.StoreError",
    "sessionware.stores.RedisStore": "sessionware.stores.redis.RedisStore",
    "sessionware.stores.SQLStore": "sessionware.stores.sql.SQLStore",
    "sessionware.stores.AsyncRedisStore": "sessionware.stores.aioredis.AsyncRedisStore",
    "sessionware.stores.AsyncSQLStore": "sessionware.stores.aiosql.AsyncSQLStore",
}
Build = tuple[subprocess.CompletedProcess[str], Path]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    pytest.importorskip("sphinx", reason=MISSING)
    pytest.importorskip("myst_parser", reason=MISSING)
    out = tmp_path_factory.mktemp("docs")
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "dummy"]
    done = subprocess.run(
        [*command, "-d", str(out / "doctrees"), str(ROOT / "docs"), str(out / "dummy")],
        capture_output=True,
        text=True,
        check=False,
    )
    return done, out / "doctrees"


def test_the_docs_build_without_warnings(build: Build) -> None:
    done, _ = build
    assert done.returncode == 0, f"sphinx-build failed:\n{done.stderr}"


@pytest.mark.parametrize("module", PUBLIC)
def test_the_api_reference_has_every_public_name(build: Build, module: str) -> None:
    _, doctrees = build
    with (doctrees / "environment.pickle").open("rb") as file:
        documented = pickle.load(file).domaindata["py"]["objects"]  # noqa: S301 (our own build)
    dotted = [f"{module}.{name}" for name in importlib.import_module(module).__all__]
    missing = [name for name in dotted if ELSEWHERE.get(name, name) not in documented]
    assert not missing, f"docs/api.md leaves these out: {missing}"


def test_the_settings_page_has_every_field() -> None:
    page = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| `([a-z_]+)` \|", page, re.MULTILINE))
    fields = {field.name for field in dataclasses.fields(SessionConfig)}
    assert fields - rows == set(), "docs/settings.md has no row for these SessionConfig fields"
