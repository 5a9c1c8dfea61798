"""The ASGI middleware is pure ASGI: importing it loads no ASGI library."""

from __future__ import annotations

import subprocess
import sys

ASGI_LIBRARIES = (
    "starlette", "fastapi", "uvicorn", "anyio", "httpx", "httpx2", "websockets", "greenlet",
    "redis", "sqlalchemy", "litestar", "msgspec",
)  # fmt: skip


def test_importing_sessionware_asgi_imports_no_asgi_library() -> None:
    code = (
        "import sys, sessionware, sessionware.asgi\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {ASGI_LIBRARIES!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_importing_sessionware_does_not_import_the_asgi_package() -> None:
    code = "import sys, sessionware; print('sessionware.asgi' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
