"""Turning pyperf means into the table the README shows, with the issue's targets."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .contestants import SCENARIOS
from .redis_store import PAIRS

__all__ = [
    "Table",
    "asgi_costs",
    "machine",
    "render",
    "render_asgi",
    "render_flask_pair",
    "render_redis",
    "wsgi_costs",
]

ROWS = (
    ("floor", "least work possible (stdlib HMAC + JSON + split)"),
    ("sessionware", "**sessionware**"),
    ("encrypted", "**sessionware encrypted** (AES-256-GCM, key ring)"),
    ("flask", "Flask 3.1 SecureCookieSessionInterface"),
    ("flask-sessionware", "the same Flask app on sessionware (`init_app`)"),
    ("beaker", "Beaker 1.14 cookie sessions (JSON)"),
)
COMPETITORS = ("flask", "beaker")


@dataclass(frozen=True)
class Table:
    """Microseconds per request above the bare app, per contestant and scenario."""

    cost: dict[tuple[str, str], float]
    bare: dict[str, float]

    @classmethod
    def from_means(cls, means: dict[tuple[str, str], float]) -> Table:
        """Subtract each contestant's baseline from pyperf means (in seconds)."""
        cost: dict[tuple[str, str], float] = {}
        bare: dict[str, float] = {}
        for scenario in SCENARIOS:
            base = means[scenario, "bare"]
            bare[scenario] = base * 1e6
            # The floor of an untouched session is the bare app itself.
            cost["floor", scenario] = (
                0.0 if scenario == "untouched" else (means[scenario, "floor"] - base) * 1e6
            )
            cost["sessionware", scenario] = (means[scenario, "sessionware"] - base) * 1e6
            cost["encrypted", scenario] = (means[scenario, "encrypted"] - base) * 1e6
            cost["beaker", scenario] = (means[scenario, "beaker"] - base) * 1e6
            for flask_name in ("flask", "flask-sessionware"):
                cost[flask_name, scenario] = (
                    means[scenario, flask_name] - means[scenario, "flask-noop"]
                ) * 1e6
        return cls(cost, bare)

    def best_competitor(self, scenario: str) -> float:
        """The faster of Flask and Beaker in ``scenario``."""
        return min(self.cost[name, scenario] for name in COMPETITORS)

    def to_floor(self, name: str, scenario: str) -> float | None:
        """``name``'s cost as a multiple of the floor's (``None`` where the floor is 0)."""
        floor = self.cost["floor", scenario]
        return None if scenario == "untouched" or floor <= 0 else self.cost[name, scenario] / floor

    def to_best(self, name: str, scenario: str) -> float | None:
        """``name``'s cost as a multiple of the best competitor's."""
        best = self.best_competitor(scenario)
        return None if best <= 0 else self.cost[name, scenario] / best


def wsgi_costs(means: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """µs above the bare app, ``{(contestant, scenario): us}``, of whatever a run measured.

    Flask's two rows are above the same Flask app on a no-op interface; the floor of an
    untouched session is the bare app itself (0).
    """
    cost: dict[tuple[str, str], float] = {}
    for (scenario, name), mean in means.items():
        base_name = "flask-noop" if name in ("flask", "flask-sessionware") else "bare"
        if name in ("bare", "flask-noop") or (scenario, base_name) not in means:
            continue
        cost[name, scenario] = (mean - means[scenario, base_name]) * 1e6
    if ("floor", "untouched") in cost:
        cost["floor", "untouched"] = 0.0
    return cost


def asgi_costs(means: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """µs above the bare ASGI app, ``{(contestant, scenario): us}``."""
    return {
        (name, scenario): (mean - means[scenario, "asgi-bare"]) * 1e6
        for (scenario, name), mean in means.items()
        if name != "asgi-bare" and (scenario, "asgi-bare") in means
    }


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def render(table: Table) -> str:
    """The table in Markdown: cost in us, then its ratio to the floor and to the best."""
    head = "| us per request above a bare app | " + " | ".join(SCENARIOS) + " |"
    lines = [head, "|---" * (len(SCENARIOS) + 1) + "|"]
    for name, label in ROWS:
        cells = []
        for scenario in SCENARIOS:
            cell = f"{table.cost[name, scenario]:.2f}"
            if name != "floor":
                cell += (
                    f" ({_ratio(table.to_floor(name, scenario))} floor, "
                    f"{_ratio(table.to_best(name, scenario))} best)"
                )
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    bare = " · ".join(f"{s} {table.bare[s]:.2f} us" for s in SCENARIOS)
    lines += [
        "",
        "Medians of pyperf runs. Ratios: to the floor, and to the best competitor (the faster",
        "of Flask and Beaker) in that scenario; lower is better. Flask, and the same Flask",
        "app after sessionware's init_app(app), are measured with the same app on a no-op",
        "session interface subtracted. The floor verifies with hmac.digest and writes",
        "no zlib; sessionware tries zlib from 256 bytes of JSON (this 206-byte session",
        "is not tried), as Flask's format allows; Flask tries it on every write.",
        f"The bare app itself: {bare}.",
    ]
    return "\n".join(lines)


def render_flask_pair(means: dict[tuple[str, str], float]) -> str:
    """The one Flask app on Flask's interface and on sessionware, for a partial run.

    ``python -m bench --scenarios read,write,new --contestants
    flask-noop,flask,flask-sessionware`` measures just this pair.
    """
    lines = [
        "| Flask app, us above its no-op interface | Flask 3.1 interface "
        "| sessionware init_app | speed-up |",
        "|---|---|---|---|",
    ]
    for scenario in SCENARIOS:
        try:
            noop = means[scenario, "flask-noop"]
            theirs = (means[scenario, "flask"] - noop) * 1e6
            ours = (means[scenario, "flask-sessionware"] - noop) * 1e6
        except KeyError:
            continue
        speedup = f"{theirs / ours:.1f}x" if ours > 0 else "-"
        lines.append(f"| {scenario} | {theirs:.1f} | {ours:.1f} | {speedup} |")
    return "\n".join(lines) if len(lines) > 2 else ""


def machine(python_version: str, executable: str) -> str:
    """One line naming the machine the figures come from."""
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    one, five, fifteen = os.getloadavg()
    return (
        f"Machine: {os.cpu_count()} CPUs, {model}, Python {python_version} ({executable}); "
        f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} at the end of the run"
    )


def render_redis(means: dict[str, float]) -> str:
    """The Redis table: each sessionware figure against the raw round trips it needs."""
    lines = [
        "| Redis store (us) | sessionware | raw redis-py | round trips | ratio |",
        "|---|---|---|---|---|",
    ]
    results = []
    for label, ours, raw, trips in PAIRS:
        if ours not in means or raw not in means:
            continue
        cost = means[ours]
        if ours.startswith("request-"):
            cost -= means["request-bare"]
        ratio = cost / means[raw]
        results.append((label, ratio))
        lines.append(
            f"| {label} | {cost * 1e6:.1f} | {means[raw] * 1e6:.1f} | {trips} | {ratio:.2f}x |"
        )
    lines += [
        "",
        "Requests go through SessionMiddleware with a ServerSideSessionInterface on a",
        "RedisStore, measured above the bare app. Target (issue 4): within 1.25x.",
    ]
    lines += [
        f"- [{'x' if ratio <= 1.25 else ' '}] {label}: {ratio:.2f}x" for label, ratio in results
    ]
    return "\n".join(lines)


def render_asgi(means: dict[tuple[str, str], float]) -> str:
    """The ASGI table: sessionware.asgi and Starlette's middleware above a bare ASGI app,
    with the floor (the least work a signed cookie takes) as the limit of any speed-up."""
    from .asgi import ASGI_SCENARIOS

    scenarios = [s for s in ASGI_SCENARIOS if (s, "asgi-bare") in means]
    names = (
        "asgi-floor",
        "sessionware-asgi",
        "sessionware-asgi-starlette",
        "starlette",
        "starsessions",
    )
    cost = asgi_costs(means)
    lines = [
        "| ASGI: us per request above a bare ASGI app | " + " | ".join(scenarios) + " |",
        "|---" * (len(scenarios) + 1) + "|",
    ]
    labels = (
        "least work possible (inline HMAC + base64 JSON)",
        "**sessionware.asgi** (`config=SessionConfig(...)`)",
        "**sessionware.asgi** (Starlette's keywords)",
        "Starlette 1.10 SessionMiddleware",
        "starsessions 2.2 (CookieStore; re-sends the cookie on a read)",
    )
    for name, label in zip(names, labels, strict=True):
        cells = [f"{cost[name, s]:.2f}" if (name, s) in cost else "-" for s in scenarios]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    def ratio(slow: str, fast: str, s: str) -> float | None:
        if (slow, s) not in cost or (fast, s) not in cost:
            return None
        return cost[slow, s] / max(cost[fast, s], 1e-9)

    for fast, label in (
        ("sessionware-asgi", "speed-up over Starlette (SessionConfig)"),
        ("sessionware-asgi-starlette", "speed-up over Starlette (Starlette's keywords)"),
        ("asgi-floor", "the floor's speed-up over Starlette (a ceiling for any signed cookie)"),
    ):
        speedups = [ratio("starlette", fast, s) for s in scenarios]
        shown = [
            # The floor's untouched cost is the bare app's: no ratio to speak of.
            "-" if x is None or (fast == "asgi-floor" and s == "untouched") else f"{x:.1f}x"
            for s, x in zip(scenarios, speedups, strict=True)
        ]
        lines.append(f"| {label} | " + " | ".join(shown) + " |")
    versus = [ratio("starsessions", "sessionware-asgi", s) for s in scenarios]
    shown = ["-" if x is None else f"{x:.1f}x" for x in versus]
    lines.append("| speed-up over starsessions (SessionConfig) | " + " | ".join(shown) + " |")
    bare = " · ".join(f"{s} {means[s, 'asgi-bare'] * 1e6:.2f} us" for s in scenarios)
    lines += [
        "",
        "The middlewares wrap the same raw ASGI app, driven without an event loop",
        "(nothing awaits). Starlette's middleware opens the session before the app runs;",
        "sessionware's when the app first touches it. Starlette signs plain base64 JSON;",
        "sessionware writes Flask's format (zlib tried from 256 bytes of JSON, inflated",
        "on read when compressed). The floor is the WSGI floor's codec inline in an ASGI",
        "app: find the cookie, one HMAC, base64 JSON; no zlib, no options, no checks.",
        f"The bare app itself: {bare}.",
    ]
    return "\n".join(lines)
