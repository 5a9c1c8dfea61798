"""The docs name the tests that show what they promise: every name must exist.

A page citing ``tests/test_x.py::test_name`` for a guarantee is only as good as the
test being there; a renamed or deleted test fails here, not silently in the docs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_LINK = re.compile(r"(tests/[A-Za-z0-9_/]+\.py)::([A-Za-z0-9_]+)")


def links() -> list[tuple[str, str, str]]:
    found = []
    for page in PAGES:
        for path, name in _LINK.findall(page.read_text(encoding="utf-8")):
            found.append((page.name, path, name))
    return found


def defined(path: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }


def test_the_docs_cite_tests() -> None:
    assert {page for page, _, _ in links()} >= {"README.md", "encryption.md"}


@pytest.mark.parametrize(("page", "path", "name"), links())
def test_each_cited_test_exists(page: str, path: str, name: str) -> None:
    assert (ROOT / path).is_file(), f"{page} cites {path}, which does not exist"
    assert name in defined(path), f"{page} cites {path}::{name}, which is not defined there"
