"""The docs site builds with no warning: what ``make docs`` builds, without writing HTML.

Sphinx's ``dummy`` builder reads every page (MyST Markdown), resolves every cross-reference,
heading anchor and toctree entry, and imports every module the API reference documents, so
a broken link, a page left out of the toctree or a docstring Sphinx cannot parse fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytest.importorskip("sphinx", reason="the docs extra is missing: pip install -e '.[docs]'")
pytest.importorskip("myst_parser", reason="the docs extra is missing: pip install -e '.[docs]'")


def test_the_docs_build_without_warnings(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "dummy"]
    done = subprocess.run(
        [*command, "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"sphinx-build failed:\n{done.stderr}"
