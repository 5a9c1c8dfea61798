"""``python -m bench``: time every contestant with pyperf and print the table."""

from __future__ import annotations

import os
import platform
import sys
from typing import Any

import pyperf

from .common import time_app
from .contestants import SCENARIOS, build_cases
from .report import Table, machine, render

__all__ = ["main"]


def main() -> int:
    """Run the benchmarks; the manager process prints the table at the end."""
    runner = pyperf.Runner(
        processes=int(os.environ.get("BENCH_PROCESSES", "6")),
        values=3,
        program_args=("-m", "bench"),
    )
    runner.metadata["description"] = "us per request above a bare WSGI app"
    args = runner.parse_args()
    cases = build_cases()
    means: dict[tuple[str, str], float] = {}
    for scenario in SCENARIOS:
        for name, case in cases[scenario].items():
            result: Any = runner.bench_time_func(
                f"{scenario}/{name}", time_app, case.app, case.environ
            )
            if result is not None and not args.worker:
                means[scenario, name] = result.mean()
    if args.worker or not means:
        return 0
    table = Table.from_means(means)
    print()
    print(machine(platform.python_version(), sys.executable))
    print()
    print(render(table))
    return 0
