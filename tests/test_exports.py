"""The public API: everything public is exported, and nothing optional is imported."""

from __future__ import annotations

import subprocess
import sys
import types

import sessionware


def test_all_is_complete() -> None:
    public = {
        name
        for name, value in vars(sessionware).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    # Order is ruff's (RUF022: constants, then classes, then functions), checked by lint.
    assert len(set(sessionware.__all__)) == len(sessionware.__all__)
    assert set(sessionware.__all__) == public


def test_every_export_has_a_docstring() -> None:
    for name in sessionware.__all__:
        assert getattr(sessionware, name).__doc__, name


def test_importing_sessionware_pulls_in_no_optional_dependency() -> None:
    code = (
        "import sys, sessionware; "
        "print(sorted(m for m in ('flask', 'redis', 'sqlalchemy', 'webob') if m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"
