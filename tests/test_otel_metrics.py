"""examples/otel_metrics.py: session events read back from OpenTelemetry's SDK.

The app of examples/metrics.py is served on loopback and driven over HTTP; the counters
are read with the SDK's ``InMemoryMetricReader``, as an exporter would collect them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from functools import partial
from typing import Any

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
from tests._servers import DEADLINE, Browser, clean_env, wsgiref_thread
from tests.asgi._uvicorn import LoggingServer
from tests.conftest import SECRET

OLD = "an-older-secret-that-is-long-enough-for-hmac"


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
    with wsgiref_thread(app) as url:
        yield url


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


def test_the_script_serves_sessions_and_exports_the_counters() -> None:
    """``python -m examples.otel_metrics``: its console exporter shows what happened."""
    argv = [sys.executable, "-m", "examples.otel_metrics", "--port", "0"]
    env = clean_env(OTEL_METRIC_EXPORT_INTERVAL="100")
    server = LoggingServer(argv, r"Serving on http://127\.0\.0\.1:(?P<port>\d+)/", env=env)
    with server:
        browser = Browser(server.url, {"session": "not-a-signed-cookie"})
        assert "Visits: 1." in browser.get("/").body
        # An export collected just before the refusal may still be printing: read on.
        for export in _exports(server, len(server.lines)):
            counts = _refusals(export)
            if counts["malformed"]:
                break
    assert counts["malformed"] == 1
    assert counts["bad_signature"] == 0


def _exports(server: LoggingServer, start: int) -> Iterator[Any]:
    """Each JSON document the console exporter prints from line ``start`` on, as it comes.

    A document is a ``{`` line up to a ``}`` line; the log lines between are skipped.
    Stops after 100 documents (at 100 ms apart, well past anything this test waits for).
    """
    for _ in range(100):
        with server.logged:
            span = server.logged.wait_for(partial(_document, server.lines, start), DEADLINE)
        assert span, f"no complete export within {DEADLINE}s:\n{server.output}"
        first, last = span
        yield json.loads("".join(server.lines[first : last + 1]))
        start = last + 1


def _document(lines: list[str], start: int) -> tuple[int, int] | None:
    """The first and last line of the first whole document from line ``start`` on."""
    try:
        first = lines.index("{\n", start)
        return first, lines.index("}\n", first)
    except ValueError:
        return None


def _refusals(export: Any) -> dict[str, int]:
    [refused] = [
        metric
        for resource in export["resource_metrics"]
        for scope in resource["scope_metrics"]
        for metric in scope["metrics"]
        if metric["name"] == "sessionware.sessions.refused"
    ]
    return {p["attributes"]["reason"]: p["value"] for p in refused["data"]["data_points"]}
