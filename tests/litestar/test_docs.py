"""The Litestar snippet of docs/asgi.md runs as printed and does what its prose says."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests._docs import python_blocks


@pytest.fixture
def app() -> Iterator[Litestar]:
    [block] = [b for b in python_blocks("docs/asgi.md") if "sessionware.litestar" in b]
    # Litestar reads a handler's type hints from its module: run it as a module.
    module = types.ModuleType("asgi_md_litestar")
    sys.modules[module.__name__] = module
    try:
        exec(compile(block, "docs/asgi.md", "exec"), module.__dict__)  # noqa: S102
        yield module.app
    finally:
        del sys.modules[module.__name__]


def test_the_snippet_counts_logs_in_and_logs_out(app: Litestar) -> None:
    with TestClient(app) as client:
        assert client.get("/").json() == {"visits": 1}
        assert client.get("/").json() == {"visits": 2}
        assert client.post("/login").status_code == 200
        assert client.get("/").json() == {"user": "ada", "visits": 1}
        logout = client.post("/logout")
        assert "Max-Age=0" in logout.headers["set-cookie"]
        assert client.get("/").json() == {"visits": 1}
