"""``python -m bench``: time every contestant with pyperf and print the table."""

from __future__ import annotations

import platform
import sys
import time
from typing import Any

import pyperf

from . import interleaved
from .asgi import ASGI_SCENARIOS, asgi_cases, time_asgi
from .chart import Panel, write_chart
from .common import time_app
from .contestants import SCENARIOS, build_cases
from .counts import measure, render_counts
from .redis_store import REDIS_URL, redis_cases, time_call
from .report import (
    Table,
    asgi_costs,
    machine,
    render,
    render_asgi,
    render_flask_pair,
    render_redis,
    wsgi_costs,
)
from .targets import render_targets, targets

__all__ = ["main"]


def main() -> int:
    """Run the benchmarks; the manager process prints the table at the end."""
    runner = pyperf.Runner(
        processes=6,
        values=3,
        program_args=("-m", "bench"),
        add_cmdline_args=_forward,
    )
    runner.argparser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated scenarios to run"
    )
    runner.argparser.add_argument(
        "--contestants", default="", help="comma-separated contestants (default: all)"
    )
    runner.argparser.add_argument(
        "--no-redis", action="store_true", help="skip the Redis store benchmarks"
    )
    runner.argparser.add_argument(
        "--no-asgi", action="store_true", help="skip the ASGI benchmarks (vs Starlette)"
    )
    runner.metadata["description"] = "us per request above a bare WSGI app"
    args = runner.parse_args()
    cases = build_cases()
    means: dict[tuple[str, str], float] = {}
    # For working on one path: --scenarios write,new --contestants bare,sessionware
    for scenario in _selection("--scenarios", args.scenarios, SCENARIOS):
        contestants = _selection("--contestants", args.contestants, tuple(cases[scenario]))
        for name in contestants:
            case = cases[scenario][name]
            result: Any = runner.bench_time_func(
                f"{scenario}/{name}", time_app, case.app, case.environ
            )
            if result is not None and not args.worker:
                means[scenario, name] = result.median()
    redis = None if args.no_redis else redis_cases()
    redis_means: dict[str, float] = {}
    for name, call in (redis or {}).items():
        result = runner.bench_time_func(f"redis/{name}", time_call, call)
        if result is not None and not args.worker:
            redis_means[name] = result.median()
    asgi = None if args.no_asgi else asgi_cases()
    asgi_means: dict[tuple[str, str], float] = {}
    for scenario, row in (asgi or {}).items():
        for name, asgi_case in row.items():
            result = runner.bench_time_func(
                f"asgi/{scenario}/{name}", time_asgi, asgi_case.app, asgi_case.scope
            )
            if result is not None and not args.worker:
                asgi_means[scenario, name] = result.median()
    if args.worker or not means:
        return 0
    print()
    print(machine(platform.python_version(), sys.executable))
    print()
    whole_run = len(means) == len(SCENARIOS) * len(cases[SCENARIOS[0]])
    if not whole_run:
        for (scenario, name), mean in sorted(means.items()):
            print(f"{scenario}/{name}: {mean * 1e6:.2f} us")
        pair = render_flask_pair(means)
        if pair:
            print()
            print(pair)
    else:
        print(render(Table.from_means(means)))
    print()
    if redis is None:
        print(f"Redis store: skipped (--no-redis, or no Redis answered at {REDIS_URL}).")
    else:
        print(render_redis(redis_means))
    if asgi_means:
        print()
        print(render_asgi(asgi_means))
    wsgi_cost, asgi_cost = wsgi_costs(means), asgi_costs(asgi_means)
    print()
    print(render_targets(targets(wsgi_cost, asgi_cost)))
    print()
    if whole_run and not args.no_asgi:
        # The whole run only: the rounds time every contestant of every scenario.
        print(interleaved.render(*interleaved.measure(), interleaved.ROUNDS))
        print()
    print(render_counts(measure()))
    print()
    chart = write_chart(
        _panels(wsgi_cost, asgi_cost),
        ("floor", "asgi-floor"),
        {"flask", "beaker", "starsessions", "starlette"},
        _chart_note(),
    )
    print(f"Chart of this run: {chart}")
    return 0


def _chart_note() -> str:
    """The machine and load under the chart, without the interpreter's path."""
    model = machine(platform.python_version(), sys.executable).removeprefix("Machine: ")
    head, _, tail = model.partition(" (")
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return f"make bench, {stamp}: {head}; {tail.partition('; ')[2]}"


def _panels(wsgi: dict[tuple[str, str], float], asgi: dict[tuple[str, str], float]) -> list[Panel]:
    """The chart's two panels, from the run's costs."""
    wsgi_names = (
        ("floor", "floor"),
        ("sessionware", "sessionware"),
        ("encrypted", "sessionware encrypted"),
        ("flask-sessionware", "Flask app on sessionware"),
        ("flask", "Flask 3.1"),
        ("beaker", "Beaker 1.14"),
    )
    asgi_names = (
        ("asgi-floor", "floor"),
        ("sessionware-asgi", "sessionware.asgi"),
        ("sessionware-asgi-starlette", "sessionware.asgi (Starlette kw)"),
        ("starlette", "Starlette 1.10"),
        ("starsessions", "starsessions 2.2"),
    )
    panels: list[Panel] = [("WSGI, µs per request", SCENARIOS, wsgi_names, wsgi)]
    if asgi:
        panels.append(("ASGI, µs per request", ASGI_SCENARIOS, asgi_names, asgi))
    return panels


def _forward(cmd: list[str], args: Any) -> None:
    """Pass the selection on to pyperf's worker processes."""
    cmd.extend(("--scenarios", args.scenarios, "--contestants", args.contestants))
    if args.no_redis:
        cmd.append("--no-redis")
    if args.no_asgi:
        cmd.append("--no-asgi")


def _selection(option: str, chosen: str, everything: tuple[str, ...]) -> tuple[str, ...]:
    if not chosen:
        return everything
    names = tuple(name.strip() for name in chosen.split(","))
    unknown = sorted(set(names) - set(everything))
    if unknown:
        raise SystemExit(f"{option}: unknown {', '.join(unknown)}; choose from {everything}")
    return names
