"""The test matrix: the suite on each supported Python, with the oldest and the newest
Flask, Werkzeug and Django that pyproject.toml allows (``make test-matrix``).

    make test-matrix                                       # six cells, the whole suite each
    make test-matrix NOX_ARGS='-p 3.12 -k oldest'          # one cell
    make test-matrix NOX_ARGS='-- tests/test_sessions.py'  # a subset in every cell

Each cell installs the package (editable) and the ``test`` dependency group but uWSGI, which
compiles from source for every Python and is tested by ``make test``; its tests skip here,
naming why. The oldest bounds are read from pyproject.toml, so the matrix follows them.
"""

from __future__ import annotations

import re
from pathlib import Path

import nox

PYPROJECT = nox.project.load_toml(Path(__file__).with_name("pyproject.toml"))
PYTHONS = ["3.11", "3.12", "3.13"]

nox.options.error_on_missing_interpreters = True
nox.options.default_venv_backend = "virtualenv"


def lower_bound(name: str) -> str:
    """``name==X`` for the ``name>=X`` that pyproject.toml declares (a dependency or an extra)."""
    project = PYPROJECT["project"]
    declared = [*project["dependencies"]]
    for requirements in project["optional-dependencies"].values():
        declared.extend(requirements)
    for requirement in declared:
        found = re.fullmatch(rf"{re.escape(name)}>=([\w.]+)", requirement)
        if found:
            return f"{name}=={found.group(1)}"
    raise LookupError(f"pyproject.toml declares no lower bound for {name}")


#: The oldest versions pyproject.toml promises to work with. Werkzeug is no dependency of
#: sessionware's: its oldest is the one the oldest Flask accepts (Flask 3.1 needs >= 3.1).
OLDEST = [
    lower_bound("flask"),
    "werkzeug==3.1.0",
    lower_bound("django"),
    lower_bound("itsdangerous"),
]
#: The newest releases that install on the session's Python (Django 6 needs Python 3.12+).
NEWEST = ["flask", "werkzeug", "django", "itsdangerous"]


@nox.session(python=PYTHONS)
@nox.parametrize("frameworks", ["oldest", "newest"])
def tests(session: nox.Session, frameworks: str) -> None:
    """The suite (or the paths and options given after ``--``) on one Python and one bound."""
    group = nox.project.dependency_groups(PYPROJECT, "test")
    session.install("-e", ".", *[r for r in group if not r.startswith("uwsgi")])
    if frameworks == "oldest":
        session.install(*OLDEST)
    else:
        session.install("--upgrade", *NEWEST)
    session.run(
        "python",
        "-c",
        "import platform; from importlib.metadata import version as v; "
        "print('python', platform.python_version(), "
        "*(f'{n} {v(n)}' for n in ('flask', 'werkzeug', 'django', 'itsdangerous')))",
    )
    session.run("pytest", "-p", "no:cacheprovider", "-q", *(session.posargs or ["tests"]))
