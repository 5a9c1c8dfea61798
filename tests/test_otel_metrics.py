"""examples/otel_metrics.py: session events read back from OpenTelemetry's SDK.

The app of examples/metrics.py is served on loopback and driven over HTTP; the counters
are read with the SDK's ``InMemoryMetricReader``, as an exporter would collect them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from prometheus_client import CollectorRegistry
from werkzeug.test import Client

from examples.metrics import make_app
from examples.otel_metrics import OTelSessionMetrics
from sessionware import events
from sessionware.stores import MemoryStore, StoreError
from tests._docs import python_blocks
from tests._servers import Browser
from tests.conftest import SECRET

OLD = "an-older-secret-that-is-long-enough-for-hmac"


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def reader() -> Iterator[InMemoryMetricReader]:
    reader = InMemoryMetricReader()
    provider = MeterProvider(metric_readers=[reader])
    unsubscribe = events.subscribe(OTelSessionMetrics(provider.get_meter("sessionware")))
    yield reader
    unsubscribe()
    provider.shutdown()


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def server(store: MemoryStore, reader: InMemoryMetricReader) -> Iterator[str]:
    """examples/metrics.py's session app, served by wsgiref on a free loopback port."""
    app = make_app(store, CollectorRegistry(), secret_key=SECRET, secret_key_fallbacks=[OLD])
    with make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    ) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_port}"
        finally:
            httpd.shutdown()
            thread.join()


def collect(reader: InMemoryMetricReader) -> dict[str, float]:
    """Every data point the reader collects, as ``name{attr="value"}`` -> value."""
    data = reader.get_metrics_data()
    assert data is not None
    points: dict[str, float] = {}
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    attributes = ",".join(
                        f'{k}="{v!s}"' for k, v in sorted((point.attributes or {}).items())
                    )
                    name = f"{metric.name}{{{attributes}}}" if attributes else metric.name
                    points[name] = point.value  # type: ignore[union-attr]
    return points


def test_every_kind_of_event_is_counted(
    server: str, store: MemoryStore, reader: InMemoryMetricReader, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = collect(reader)
    assert before['sessionware.sessions.refused{reason="bad_signature"}'] == 0
    assert "sessionware.sessions.created" not in before

    fresh = Browser(server)
    assert fresh.get("/").body == "visits: 1\n"

    tampered = Browser(server)
    tampered.cookies["session"] = fresh.cookies["session"][:-4] + "AAAA"
    assert tampered.get("/").body == "visits: 1\n"

    # A cookie issued under the old key, as before a key rotation, on the same store.
    old_client = Client(make_app(store, CollectorRegistry(), secret_key=OLD))
    old_client.get("/")
    cookie = old_client.get_cookie("session")
    assert cookie is not None
    rotated = Browser(server, {"session": cookie.value})
    assert rotated.get("/").body == "visits: 2\n"

    ada, ada_elsewhere = Browser(server), Browser(server)
    for browser in (ada, ada_elsewhere):
        browser.get("/")
        browser.get("/login")
    ada.get("/logout-everywhere")
    assert ada_elsewhere.get("/").body == "visits: 1\n"

    def broken(*args: object) -> None:
        raise StoreError("injected outage")

    monkeypatch.setattr(store, "get", broken)
    assert fresh.get("/").status == 500
    monkeypatch.undo()

    after = collect(reader)
    assert after['sessionware.sessions.refused{reason="bad_signature"}'] == 1
    assert after['sessionware.sessions.refused{reason="expired"}'] == 0
    assert after["sessionware.sessions.rotated"] == 1
    assert after["sessionware.sessions.regenerated"] == 2
    assert after["sessionware.sessions.revoked"] == 2
    assert after["sessionware.store.errors"] == 1
    # fresh, tampered, the old-key client, ada, ada_elsewhere twice (once after the
    # revocation): six new sessions.
    assert after["sessionware.sessions.created"] == 6


def test_the_operations_page_snippet_runs_as_printed() -> None:
    [snippet] = [b for b in python_blocks("docs/operations.md") if "opentelemetry" in b]
    exec(compile(snippet, "docs/operations.md", "exec"), {})  # noqa: S102
