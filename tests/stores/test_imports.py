"""Optional back ends: a missing client library names the install command."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("module", "blocked", "extra"),
    [
        pytest.param("sessionware.stores.redis", "redis", "sessionware[redis]", id="redis"),
        pytest.param("sessionware.stores.sql", "sqlalchemy", "sessionware[sql]", id="sql"),
    ],
)
def test_a_missing_client_names_the_extra(module: str, blocked: str, extra: str) -> None:
    code = (
        f"import sys; sys.modules[{blocked!r}] = None\n"
        "import sessionware.stores\n"
        f"try:\n    import {module}\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert f"pip install {extra}" in result.stdout


def test_stores_are_reachable_lazily_from_the_package() -> None:
    import sessionware.stores as stores
    from sessionware.stores.redis import RedisStore
    from sessionware.stores.sql import SQLStore

    assert stores.RedisStore is RedisStore
    assert stores.SQLStore is SQLStore
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = stores.Nope
