"""Deterministic rows: Python calls and memory per request, which a busy machine cannot blur.

``python -m bench.counts`` prints them alone; ``make bench`` prints them after its timings.

- **Calls**: function calls per request seen by :func:`sys.setprofile` (Python functions,
  each resumed coroutine included, and C functions, as cProfile counts them), above the
  bare app driven the same way.
- **Memory**: with :mod:`tracemalloc` on, the most memory a request had allocated at
  once (its peak above what was allocated before it) and what it left allocated after
  it returned (0 unless something outlives the request, such as a reference cycle
  waiting for the cyclic GC or a cache), above the bare app.
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

from .asgi import AsgiCase, asgi_cases, time_asgi
from .common import time_app
from .contestants import Case, build_cases

__all__ = ["COUNTED", "Counts", "asgi_server", "measure", "render_counts", "wsgi_server"]

#: The scenarios counted, and the contestants: (label, kind, contestant, its bare app).
SCENARIOS = ("untouched", "read", "write", "new")
COUNTED = (
    ("WSGI floor (stdlib only)", "wsgi", "floor", "bare"),
    ("**sessionware** (WSGI)", "wsgi", "sessionware", "bare"),
    ("sessionware encrypted (WSGI)", "wsgi", "encrypted", "bare"),
    ("ASGI floor (inline codec)", "asgi", "asgi-floor", "asgi-bare"),
    ("**sessionware.asgi** (SessionConfig)", "asgi", "sessionware-asgi", "asgi-bare"),
    ("**sessionware.asgi** (Starlette's kw)", "asgi", "sessionware-asgi-starlette", "asgi-bare"),
    ("Starlette 1.10 SessionMiddleware", "asgi", "starlette", "asgi-bare"),
    ("starsessions 2.2 (CookieStore)", "asgi", "starsessions", "asgi-bare"),
)  # fmt: skip

_WARM = 20
_COUNTED_REQUESTS = 50


@dataclass(frozen=True)
class Counts:
    """Per request, above the bare app: calls (Python, C) and memory (bytes)."""

    python_calls: float
    c_calls: float
    peak_bytes: int
    retained_bytes: int


Serve = Callable[[int], object]


def _calls(serve: Serve) -> tuple[float, float]:
    """Python and C calls per request of ``serve`` (which serves ``n`` requests)."""
    serve(_WARM)
    seen = {"call": 0, "c_call": 0}

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event in seen:
            seen[event] += 1

    sys.setprofile(profile)
    try:
        serve(_COUNTED_REQUESTS)
    finally:
        sys.setprofile(None)
    return seen["call"] / _COUNTED_REQUESTS, seen["c_call"] / _COUNTED_REQUESTS


def _memory(serve: Serve) -> tuple[int, int]:
    """Peak and retained bytes of one request of ``serve``, the least of five."""
    serve(_WARM)
    peaks, retained = [], []
    tracemalloc.start()
    try:
        serve(_WARM)
        for _ in range(5):
            before = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            serve(1)
            current, peak = tracemalloc.get_traced_memory()
            peaks.append(peak - before)
            retained.append(current - before)
    finally:
        tracemalloc.stop()
    return min(peaks), min(retained)


def wsgi_server(case: Case) -> Serve:
    """Serves ``n`` requests of a WSGI case, as its timing does."""

    def serve(n: int) -> object:
        return time_app(n, case.app, case.environ)

    return serve


def asgi_server(case: AsgiCase) -> Serve:
    """Serves ``n`` requests of an ASGI case, as its timing does."""

    def serve(n: int) -> object:
        return time_asgi(n, case.app, case.scope)

    return serve


def _servers() -> dict[tuple[str, str], Serve]:
    """``{(scenario, contestant): serve}`` for every counted app and its bare app."""
    wsgi = build_cases()
    asgi = asgi_cases()
    servers: dict[tuple[str, str], Serve] = {}
    for scenario in SCENARIOS:
        for name, case in wsgi[scenario].items():
            servers[scenario, name] = wsgi_server(case)
        for name, asgi_case in asgi[scenario].items():
            servers[scenario, name] = asgi_server(asgi_case)
    return servers


def measure() -> dict[tuple[str, str], Counts]:
    """``{(scenario, contestant): Counts}`` for :data:`COUNTED`, above their bare apps."""
    servers = _servers()
    raw: dict[tuple[str, str], tuple[float, float, int, int]] = {}
    for scenario in SCENARIOS:
        names = {bare for *_, bare in COUNTED} | {name for _, _, name, _ in COUNTED}
        for name in sorted(names):
            serve = servers[scenario, name]
            raw[scenario, name] = (*_calls(serve), *_memory(serve))
    counts = {}
    for scenario in SCENARIOS:
        for _, _, name, bare in COUNTED:
            ours, base = raw[scenario, name], raw[scenario, bare]
            counts[scenario, name] = Counts(
                ours[0] - base[0], ours[1] - base[1], ours[2] - base[2], ours[3] - base[3]
            )
    return counts


def render_counts(counts: dict[tuple[str, str], Counts]) -> str:
    """Two Markdown tables: calls per request, then memory per request."""
    lines = [
        "| calls per request above the bare app (Python + C) | " + " | ".join(SCENARIOS) + " |",
        "|---" * (len(SCENARIOS) + 1) + "|",
    ]
    for label, _, name, _ in COUNTED:
        cells = [
            f"{c.python_calls:.0f} + {c.c_calls:.0f}" for c in (counts[s, name] for s in SCENARIOS)
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    memory = ("read", "write", "new")
    lines += [
        "",
        "| bytes per request above the bare app: peak (retained) | " + " | ".join(memory) + " |",
        "|---" * (len(memory) + 1) + "|",
    ]
    for label, _, name, _ in COUNTED:
        cells = [
            f"{c.peak_bytes:,} ({c.retained_bytes:,})" for c in (counts[s, name] for s in memory)
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Calls: sys.setprofile events per request (Python functions, each resumed coroutine",
        "included, and C functions), as cProfile counts them. Bytes: tracemalloc, the most",
        "a request had allocated at once, and in brackets what it left allocated (a cycle",
        "waiting for the GC, a cache); the least of five requests. Neither depends on load.",
    ]
    return "\n".join(lines)


def main() -> int:
    """Print both tables."""
    print(render_counts(measure()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
