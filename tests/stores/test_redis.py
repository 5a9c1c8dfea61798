"""RedisStore against a real server: the one on 6379 if it runs, else a private one."""

from __future__ import annotations

import secrets

import pytest
import redis

from sessionware.stores import Store, StoreError
from sessionware.stores.redis import RedisStore
from tests.stores.contract import TTL, StoreContract


class TestRedisStore(StoreContract):
    @pytest.fixture
    def store(self, redis_store: RedisStore) -> Store:
        return redis_store

    def expire(self, store: Store, sid: str) -> None:
        assert isinstance(store, RedisStore)
        store.client.pexpireat(store.prefix + sid, 1)  # in the past: Redis deletes it

    def ttl_of(self, store: Store, sid: str) -> float:
        assert isinstance(store, RedisStore)
        return int(store.client.pttl(store.prefix + sid)) / 1000


def test_records_are_hashes_under_the_prefix(redis_store: RedisStore) -> None:
    redis_store.set("abc", '{"a":1}', TTL, None)
    assert redis_store.client.hgetall(redis_store.prefix + "abc") == {
        b"d": b'{"a":1}',
        b"v": b"1",
    }


def test_failures_raise_store_error_without_credentials() -> None:
    port = 1  # nothing listens on port 1
    store = RedisStore(f"redis://:hunter2-password@127.0.0.1:{port}/0", timeout=0.2, retries=0)
    with pytest.raises(StoreError) as caught:
        store.get("s1")
    assert isinstance(caught.value.__cause__, redis.ConnectionError)
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in repr(store)
    assert "on_store_error='null'" in str(caught.value)


def test_repr_names_the_server_not_the_password(redis_url: str) -> None:
    store = RedisStore(redis_url, prefix="p:")
    assert repr(store).startswith("<RedisStore 127.0.0.1:")
    assert "prefix='p:'" in repr(store)
    store.close()


def test_an_existing_client_is_used_as_given(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    store = RedisStore(client=client, prefix=f"sessionware-test:{secrets.token_hex(8)}:")
    assert store.client is client
    store.set("s1", "x", 10, None)
    assert client.exists(store.prefix + "s1") == 1
    store.delete("s1")
    client.close()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"prefix": 3}, "prefix must be a str", id="prefix"),
        pytest.param({"timeout": 0}, "timeout must be a positive number", id="timeout-zero"),
        pytest.param({"timeout": True}, "timeout must be a positive number", id="timeout-bool"),
        pytest.param({"retries": -1}, r"retries must be an int >= 0", id="retries"),
        pytest.param({"url": "http://example.com"}, "url is not a Redis URL", id="url"),
    ],
)
def test_settings_are_validated(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises((TypeError, ValueError), match=message):
        RedisStore(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("reply", ["²", "١٢", b"\xc2\xb2", "9" * 40])
def test_a_version_of_other_digits_is_a_corrupt_record_not_a_crash(reply: object) -> None:
    """A reply that ``str.isdigit`` accepts but ``int`` refuses (or a huge one) is
    reported as the store's error, never a ValueError into the request."""
    from sessionware.stores.base import CorruptRecord
    from sessionware.stores.redis import _version

    with pytest.raises(CorruptRecord, match="is not an integer"):
        _version(reply, "the version", CorruptRecord)
