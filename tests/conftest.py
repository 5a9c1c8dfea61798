"""Fixtures shared by the whole suite."""

from __future__ import annotations

import logging
import string
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

from sessionware import events
from sessionware.stores.redis import RedisStore
from tests._redis_server import RedisServer, private_redis, scratch_store, shared_or_private_redis

if TYPE_CHECKING:
    from tests._cookie_kinds import CookieKind

# Speed lives in `make bench`, never in a test: no per-example deadline, which on a
# loaded machine fails property tests for being slow rather than wrong.
settings.register_profile("sessionware", deadline=None)
settings.load_profile("sessionware")

SECRET = "a-test-secret-that-is-long-enough-for-hmac"

_BASE64URL = string.ascii_uppercase + string.ascii_lowercase + string.digits + "-_"


def tampered(value: str) -> str:
    """``value`` with one character of its signature changed, so that it never verifies.

    The fifth character from the end: the last one of a base64 signature may carry
    padding bits that decoding drops, so changing it can leave the signature intact.
    Adding 32 to its base64 value flips the character's top bit.
    """
    at = len(value) - 5
    changed = _BASE64URL[(_BASE64URL.index(value[at]) + 32) % 64]
    return value[:at] + changed + value[at + 1 :]


class FakeClock:
    """A clock the tests move by hand, so expiry is tested without sleeping."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["signed", "encrypted"])
def cookie_kind(request: pytest.FixtureRequest) -> CookieKind:
    """Each cookie interface in turn, for a rule both hold to (tests/_cookie_kinds.py)."""
    # Imported here: tests/_cookie_kinds.py imports this module.
    from tests._cookie_kinds import ENCRYPTED, SIGNED

    return SIGNED if request.param == "signed" else ENCRYPTED


@pytest.fixture
def session_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Captures the ``sessionware`` logger at INFO and above."""
    with caplog.at_level(logging.INFO, logger="sessionware"):
        yield caplog


@pytest.fixture
def seen() -> Iterator[list[events.SessionEvent]]:
    """Every session event emitted during the test."""
    caught: list[events.SessionEvent] = []
    unsubscribe = events.subscribe(caught.append)
    yield caught
    unsubscribe()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The shared Redis on 6379 if it runs, else one private server for the whole run."""
    with shared_or_private_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_store(redis_url: str) -> Iterator[RedisStore]:
    """A :class:`RedisStore` on :func:`redis_url` under a prefix of its own, emptied after."""
    with scratch_store(redis_url) as store:
        yield store


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A private redis-server for one test module, which its tests may stop and restart."""
    with private_redis(tmp_path_factory.mktemp("redis")) as server:
        yield server
