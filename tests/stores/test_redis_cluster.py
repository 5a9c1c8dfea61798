"""RedisStore on a real three-master Redis Cluster that the test starts on loopback.

Every script must touch one hash slot: the compare-and-set and the regenerate move
(record keys are hash-tagged by the first characters of the session ID, which a
regenerated ID keeps) and the user index (one slot per user).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from redis.cluster import RedisCluster

from sessionware import ServerSideSessionInterface
from sessionware.stores import Store, StoreError
from sessionware.stores.redis import SLOT_CHARS, RedisStore
from tests._apps import Browser
from tests._redis_cluster import redis_cluster
from tests._valkey import INSTALL, VALKEY_SERVER
from tests.conftest import FakeClock
from tests.stores.contract import StoreContract


@pytest.fixture(scope="module", params=["redis", "valkey"])
def cluster_ports(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[int]]:
    """Every test of the module on a Redis cluster, then on a Valkey one."""
    server = None
    if request.param == "valkey":
        if VALKEY_SERVER is None:
            pytest.skip(INSTALL)
        server = VALKEY_SERVER
    with redis_cluster(tmp_path_factory.mktemp("cluster"), server=server) as ports:
        yield ports


@pytest.fixture
def cluster_store(cluster_ports: list[int]) -> Iterator[RedisStore]:
    client = RedisCluster(host="127.0.0.1", port=cluster_ports[0], socket_timeout=5)
    store = RedisStore(client=client, prefix=f"sessionware-test:{secrets.token_hex(8)}:")
    yield store
    store.close()


class TestRedisClusterStore(StoreContract):
    @pytest.fixture
    def store(self, cluster_store: RedisStore) -> Store:
        return cluster_store

    def expire(self, store: Store, sid: str) -> None:
        assert isinstance(store, RedisStore)
        store.client.pexpireat(store._key(sid), 1)

    def ttl_of(self, store: Store, sid: str) -> float:
        assert isinstance(store, RedisStore)
        return int(store.client.pttl(store._key(sid))) / 1000


def test_the_nodes_are_the_server_named(
    cluster_ports: list[int], request: pytest.FixtureRequest
) -> None:
    client = redis.Redis(host="127.0.0.1", port=cluster_ports[0])
    try:
        info = client.info("server")
    finally:
        client.close()
    assert ("valkey_version" in info) == request.node.name.endswith("[valkey]")


def test_sessions_spread_over_the_masters(cluster_store: RedisStore) -> None:
    client = cluster_store.client
    assert isinstance(client, RedisCluster)
    assert cluster_store.cluster
    assert repr(cluster_store).startswith("<RedisStore cluster 127.0.0.1:")
    sids = [secrets.token_urlsafe(32) for _ in range(30)]
    for sid in sids:
        assert cluster_store.set(sid, "{}", 60, None) == 1
    nodes = {client.get_node_from_key(cluster_store._key(sid)).name for sid in sids}  # type: ignore[no-untyped-call]
    assert len(nodes) == 3  # a real cluster, every master holding sessions
    assert all(cluster_store._key(sid).endswith(sid[SLOT_CHARS:]) for sid in sids)


def test_regenerate_and_revoke_through_the_interface(cluster_store: RedisStore) -> None:
    clock = FakeClock()
    interface = ServerSideSessionInterface(cluster_store, user_key="user_id", clock=clock)
    browsers = [Browser(clock, interface=interface) for _ in range(3)]

    def login(user: str) -> Any:
        def action(session: Any) -> None:
            session["user_id"] = user
            session.regenerate()  # the move script: both keys in the old ID's slot

        return action

    for browser, user in zip(browsers, ["ada", "ada", "bob"], strict=True):
        browser.request(login(user))
        browser.request(lambda s: s.regenerate())
    assert len(interface.sessions_of("ada")) == 2
    keep = interface.sessions_of("ada")[0].handle
    assert interface.revoke("ada", keep=keep) == 1
    answers = [browser.request(lambda s: s.get("user_id")).text for browser in browsers]
    assert sorted(answers) == ["'ada'", "'bob'", "None"]
    assert [info.handle for info in interface.sessions_of("ada")] == [keep]


def test_without_the_shared_hash_tag_a_move_would_fail(cluster_store: RedisStore) -> None:
    """Why moved_id keeps the old ID's first characters: Redis refuses cross-slot scripts."""
    client = cluster_store.client
    assert isinstance(client, RedisCluster)
    old, fresh = "aaa" + secrets.token_urlsafe(32), "zzz" + secrets.token_urlsafe(32)
    slots = {client.keyslot(cluster_store._key(sid)) for sid in (old, fresh)}  # type: ignore[no-untyped-call]
    assert len(slots) == 2
    version = cluster_store.set(old, "{}", 60, None)
    assert version is not None
    with pytest.raises(StoreError, match="same key slot"):
        cluster_store.move(old, fresh, "{}", 60, version)
    moved = cluster_store.moved_id(old, fresh)
    assert moved[:SLOT_CHARS] == "aaa"
    assert moved[SLOT_CHARS:] == fresh[SLOT_CHARS:]
    assert cluster_store.move(old, moved, "{}", 60, version) is not None
