"""examples/metrics.py: session events read back from a real /metrics endpoint over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families
from werkzeug.test import Client

from examples.metrics import SessionMetrics, make_app
from sessionware import events
from sessionware.stores import MemoryStore, StoreError
from tests._servers import Browser, wsgiref_thread
from tests.conftest import SECRET

OLD = "an-older-secret-that-is-long-enough-for-hmac"


@pytest.fixture
def registry() -> Iterator[CollectorRegistry]:
    registry = CollectorRegistry()
    unsubscribe = events.subscribe(SessionMetrics(registry))
    yield registry
    unsubscribe()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def server(store: MemoryStore, registry: CollectorRegistry) -> Iterator[str]:
    """The example app and its /metrics, served by wsgiref on a free loopback port."""
    app = make_app(store, registry, secret_key=SECRET, secret_key_fallbacks=[OLD])
    with wsgiref_thread(app) as url:
        yield url


def scrape(url: str) -> dict[str, float]:
    """Every sample /metrics serves, as ``name{label="value"}`` -> value."""
    reply = Browser(url).get("/metrics")
    assert reply.status == 200
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(reply.body):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def test_every_kind_of_event_is_counted_on_metrics(
    server: str, store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = scrape(server)
    assert before["sessionware_sessions_created_total"] == 0
    assert before['sessionware_sessions_refused_total{reason="bad_signature"}'] == 0

    fresh = Browser(server)
    assert fresh.get("/").body == "visits: 1\n"

    tampered = Browser(server)
    tampered.cookies["session"] = fresh.cookies["session"][:-4] + "AAAA"
    assert tampered.get("/").body == "visits: 1\n"  # a fresh session, not an error

    # A cookie issued under the old key, as before a key rotation, on the same store.
    old_app = make_app(store, CollectorRegistry(), secret_key=OLD)
    old_client = Client(old_app)
    old_client.get("/")
    rotated = Browser(server)
    cookie = old_client.get_cookie("session")
    assert cookie is not None
    rotated.cookies["session"] = cookie.value
    assert rotated.get("/").body == "visits: 2\n"
    assert rotated.cookies["session"] != cookie.value

    ada, ada_elsewhere = Browser(server), Browser(server)
    for browser in (ada, ada_elsewhere):
        browser.get("/")
        browser.get("/login")  # a new ID for the session: regenerated
    ada.get("/logout-everywhere")
    assert ada_elsewhere.get("/").body == "visits: 1\n"  # her other session ended

    def broken(*args: object) -> None:
        raise StoreError("injected outage")

    monkeypatch.setattr(store, "get", broken)
    assert Browser(server).request("GET", "/").status == 200  # no cookie: no store read
    assert fresh.get("/").status == 500
    monkeypatch.undo()

    after = scrape(server)
    assert after['sessionware_sessions_refused_total{reason="bad_signature"}'] == 1
    assert after["sessionware_sessions_rotated_total"] == 1
    assert after["sessionware_sessions_regenerated_total"] == 2
    assert after["sessionware_sessions_revoked_total"] == 2
    assert after["sessionware_store_errors_total"] == 1
    # fresh, tampered, the old-key client, ada, ada_elsewhere twice (once after the
    # revocation), the cookieless request during the outage: seven new sessions.
    assert after["sessionware_sessions_created_total"] == 7
    assert after['sessionware_sessions_refused_total{reason="expired"}'] == 0
