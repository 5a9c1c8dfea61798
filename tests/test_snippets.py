"""Every fenced block of README.md and docs/**/*.md runs as printed, or says why not.

The rule (also in docs/contributing.md), by the block's language tag:

- ``python``: written to ``snippet.py`` in a fresh temporary directory and imported there by
  a new interpreter (``python -W error -m tests._snippet``: warnings fail, as in pytest),
  so ``if __name__ == "__main__":`` stays closed. A block that serves forever prints its
  serving call under that guard, and the runner instead calls the module's ``app`` once
  (``GET /``; WSGI through werkzeug's test client and ``wsgiref.validate``, ASGI through
  Starlette's ``TestClient``) and fails on a 5xx. A block starting ``# settings.py`` is a
  Django settings module and is loaded into Django. See ``tests/_snippet.py``.
- ``bash``: run by ``bash -euo pipefail`` in a fresh temporary directory. Only safe, quick
  commands go in such blocks (the ``sessionware`` command line).
- ``json`` is parsed and ``ini`` is read by ``configparser``: they must at least be well formed.
- ``sh``, ``console`` and ``text`` are illustrative and never run: commands that install,
  build, deploy or serve forever (``sh``), transcripts with sample output (``console``) and
  program output (``text``).
- ``{directive}`` fences are MyST directives (``{toctree}``, ``{eval-rst}``, ``{include}``),
  which ``tests/test_docs_build.py`` checks by building the site.

Any other tag, or none, fails, so no block is skipped silently.

Every run gets what the getting-started page tells a reader to do first: a fresh
``SESSIONWARE_SECRET_KEY`` in the environment, and the repository's root on ``PYTHONPATH``
(for the few blocks that import ``examples.``). A block that names Redis on
``127.0.0.1:6379`` is skipped, naming the command that starts it, only when no server answers.
"""

from __future__ import annotations

import configparser
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests._docs import ROOT, Block, blocks, pages
from tests._redis_server import reachable

RUN = {"python", "bash"}
PARSED = {"json", "ini"}
ILLUSTRATIVE = {"sh", "console", "text"}
REDIS = "redis://127.0.0.1:6379"
TIMEOUT = 60
# As pyproject.toml's filterwarnings: every warning fails, but WebOb's import of cgi.
WARNINGS = ["-W", "error", "-W", "ignore:'cgi' is deprecated:DeprecationWarning"]

ALL = [block for page in pages() for block in blocks(page)]


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SESSIONWARE_")}
    env["SESSIONWARE_SECRET_KEY"] = secrets.token_hex(32)
    env["PYTHONPATH"] = str(ROOT)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def run(command: list[str], cwd: Path, block: Block) -> None:
    try:
        done = subprocess.run(
            command, cwd=cwd, env=environment(), capture_output=True, text=True, timeout=TIMEOUT
        )
    except subprocess.TimeoutExpired:
        pytest.fail(
            f"{block.id} did not finish in {TIMEOUT} s: guard a serving call with "
            'if __name__ == "__main__": (see tests/test_snippets.py)'
        )
    if done.returncode != 0:
        pytest.fail(f"{block.id} failed as printed:\n{done.stdout}{done.stderr}", pytrace=False)


def test_the_runner_finds_the_blocks() -> None:
    assert {b.tag for b in ALL} >= {"python", "bash"}
    assert any(b.page == "README.md" and b.tag == "python" for b in ALL)


@pytest.mark.parametrize("block", [pytest.param(b, id=b.id) for b in ALL])
def test_block(block: Block, tmp_path: Path) -> None:
    if block.tag.startswith("{") and block.tag.endswith("}"):
        return  # a MyST directive: tests/test_docs_build.py builds it
    known = RUN | PARSED | ILLUSTRATIVE
    assert block.tag in known, f"{block.id}: tag {block.tag!r} is none of {sorted(known)}"
    if REDIS in block.text and not reachable(REDIS + "/0"):
        pytest.skip(f"{block.id} needs Redis on 127.0.0.1:6379: run `redis-server --port 6379`")
    if block.tag == "python":
        (tmp_path / "snippet.py").write_text(block.text, encoding="utf-8")
        run([sys.executable, *WARNINGS, "-m", "tests._snippet"], tmp_path, block)
    elif block.tag == "bash":
        run(["bash", "-euo", "pipefail", "-c", block.text], tmp_path, block)
    elif block.tag == "json":
        json.loads(block.text)
    elif block.tag == "ini":
        configparser.ConfigParser().read_string(block.text)


def drive(source: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "snippet.py").write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, *WARNINGS, "-m", "tests._snippet"],
        cwd=tmp_path,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


SERVING = """
import os
from sessionware import SessionMiddleware

def hello(environ, start_response):
    environ["session"]["seen"] = True
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]

app = SessionMiddleware(hello, secret_key=os.environ["SESSIONWARE_SECRET_KEY"])

if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    make_server("127.0.0.1", 8000, app).serve_forever()
"""


@pytest.mark.parametrize(
    ("source", "fails"),
    [
        pytest.param(SERVING, False, id="a-guarded-server-is-called-not-served"),
        pytest.param(SERVING.replace('"200 OK"', '"500 Oops"'), True, id="an-app-answering-500"),
        pytest.param(SERVING.replace("def hello", "def hell"), True, id="a-name-left-undefined"),
        pytest.param("def test_it():\n    assert 1 == 2\n", True, id="a-printed-test-that-fails"),
        pytest.param("import warnings\nwarnings.warn('x')\n", True, id="a-warning"),
    ],
)
def test_the_runner_fails_what_a_reader_could_not_run(
    source: str, fails: bool, tmp_path: Path
) -> None:
    done = drive(source, tmp_path)
    assert (done.returncode != 0) is fails, done.stderr
