"""Fixtures shared by the whole suite."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from hypothesis import settings

# Speed lives in `make bench`, never in a test: no per-example deadline, which on a
# loaded machine fails property tests for being slow rather than wrong.
settings.register_profile("sessionware", deadline=None)
settings.load_profile("sessionware")

SECRET = "a-test-secret-that-is-long-enough-for-hmac"


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


@pytest.fixture
def session_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Captures the ``sessionware`` logger at INFO and above."""
    with caplog.at_level(logging.INFO, logger="sessionware"):
        yield caplog
