"""Quart tests run under anyio's pytest plugin, on asyncio (Quart's own loop)."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
