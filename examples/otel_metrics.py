"""Session metrics through OpenTelemetry: sessionware's events as OTel counters.

The twin of ``examples/metrics.py`` (Prometheus). Run it with
``python -m examples.otel_metrics`` (``pip install opentelemetry-sdk``): it serves the plain
example on http://127.0.0.1:8000 and prints the counters to the console every minute
(``OTEL_METRIC_EXPORT_INTERVAL``, in milliseconds, as for any OpenTelemetry reader). In
production, give the ``MeterProvider`` an OTLP exporter instead of the console one.
"""

from __future__ import annotations

from opentelemetry.metrics import Counter, Meter

from sessionware import events


class OTelSessionMetrics:
    """OpenTelemetry counters fed by :mod:`sessionware.events`.

    The counters are those of ``examples/metrics.py``, named as OpenTelemetry names them
    (``sessionware.sessions.created``; a Prometheus exporter shows it as
    ``sessionware_sessions_created_total``). Refusals carry a ``reason`` attribute, a fixed
    set; store errors carry no message, which would make a series per message.
    """

    def __init__(self, meter: Meter) -> None:
        def counter(name: str, unit: str, description: str) -> Counter:
            return meter.create_counter(f"sessionware.{name}", unit=unit, description=description)

        self.created = counter("sessions.created", "{session}", "New sessions first saved.")
        self.refused = counter("sessions.refused", "{cookie}", "Cookies not accepted, by reason.")
        self.rotated = counter("sessions.rotated", "{cookie}", "Old-key cookies re-issued.")
        self.regenerated = counter("sessions.regenerated", "{session}", "IDs regenerated.")
        self.revoked = counter("sessions.revoked", "{session}", "Sessions ended by revocation.")
        self.store_error = counter("store.errors", "{error}", "Failed store reads and writes.")
        for reason in events.REFUSAL_REASONS:
            self.refused.add(0, {"reason": reason})  # every reason shows, at 0 until it happens

    def __call__(self, event: events.SessionEvent) -> None:
        """Count ``event`` (pass this object to :func:`sessionware.events.subscribe`)."""
        if event.name == "refused":
            self.refused.add(1, {"reason": event.reason or "unknown"})
        elif event.name == "revoked":
            self.revoked.add(event.count if event.count is not None else 1)
        else:
            getattr(self, event.name).add(1)


if __name__ == "__main__":
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import (
        ConsoleMetricExporter,
        PeriodicExportingMetricReader,
    )

    from examples.plain_app import main

    reader = PeriodicExportingMetricReader(ConsoleMetricExporter())
    provider = MeterProvider(metric_readers=[reader])
    events.subscribe(OTelSessionMetrics(provider.get_meter("sessionware")))
    try:
        main()
    finally:
        provider.shutdown()
