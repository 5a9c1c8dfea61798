"""RedisStore's conformance suite on a private Valkey server (tests/_valkey.py finds it)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis

from sessionware.stores import Store
from sessionware.stores.redis import RedisStore
from tests._redis_server import RedisServer, scratch_store
from tests._valkey import INSTALL, VALKEY_SERVER
from tests.stores import test_redis


@pytest.fixture(scope="module")
def valkey_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if VALKEY_SERVER is None:
        pytest.skip(INSTALL)
    server = RedisServer(tmp_path_factory.mktemp("valkey"), binary=VALKEY_SERVER)
    server.start()
    try:
        yield server.url
    finally:
        server.kill()


@pytest.fixture
def valkey_store(valkey_url: str) -> Iterator[RedisStore]:
    with scratch_store(valkey_url) as store:
        yield store


def test_the_server_is_valkey(valkey_url: str) -> None:
    client = redis.Redis.from_url(valkey_url)
    try:
        info = client.info("server")
    finally:
        client.close()
    assert "valkey_version" in info, info


# Through the module, so that pytest does not collect TestRedisStore here a second time.
class TestValkeyStore(test_redis.TestRedisStore):
    @pytest.fixture
    def store(self, valkey_store: RedisStore) -> Store:
        return valkey_store
