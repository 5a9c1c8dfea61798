"""``python -m bench.interleaved``: issue 17's timed targets, in interleaved rounds.

The pyperf run (``make bench``) times each contestant in turn, for a few seconds each, so
on a shared VM a burst of someone else's load lands on one contestant and not on the one
it is compared with: on 4 December 2026 one such run put sessionware.asgi's new session
at 0.85x Starlette's speed, where interleaved rounds minutes later gave 1.22x and the
instruction counts 1.17x. This times the same apps (those of
:mod:`bench.contestants` and :mod:`bench.asgi`) in rounds that go through every
contestant of a scenario one after the other, in CPU time of this process (time spent
waiting for a CPU another job holds is not counted), and keeps each contestant's fastest
round. A burst then costs every contestant of the scenario the same round, and the
fastest rounds compare the work each one does. The garbage collector stays on, as in a
server; a generation-0 collection before each round keeps the allocations of one
contestant from starting a collection in the next one's round.

It is a cross-check of the pyperf table on a busy machine, not a replacement: both are
printed by ``make bench``. ``make bench-callgrind`` counts instructions, which do not
move at all.
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable

from .asgi import ASGI_SCENARIOS, AsgiCase, asgi_cases, time_asgi
from .common import time_app
from .contestants import SCENARIOS, Case, build_cases
from .report import asgi_costs, wsgi_costs
from .targets import render_targets, targets

__all__ = ["ROUNDS", "ROUND_SECONDS", "main", "measure", "render"]

#: Rounds per scenario; each contestant keeps its fastest.
ROUNDS = 100
#: About how long one contestant's share of a round runs, in CPU seconds.
ROUND_SECONDS = 0.01

#: Serve ``n`` requests; what a round times.
Serve = Callable[[int], object]
#: The WSGI scenarios the targets read (the ``permanent`` one has no target).
WSGI_SCENARIOS = tuple(scenario for scenario in SCENARIOS if scenario != "permanent")


def _wsgi(case: Case) -> Serve:
    def serve(requests: int) -> object:
        return time_app(requests, case.app, case.environ)

    return serve


def _asgi(case: AsgiCase) -> Serve:
    def serve(requests: int) -> object:
        return time_asgi(requests, case.app, case.scope)

    return serve


def _calibrated(serve: Serve, seconds: float) -> int:
    """How many requests take about ``seconds`` of CPU time (at least 20)."""
    serve(20)  # warm-up
    started = time.process_time()
    serve(20)
    each = max((time.process_time() - started) / 20, 1e-9)
    return max(20, round(seconds / each))


def _best(servers: dict[str, Serve], rounds: int, seconds: float) -> dict[str, float]:
    """Each server's fastest round, in CPU seconds per request, the servers interleaved."""
    counts = {name: _calibrated(serve, seconds) for name, serve in servers.items()}
    best = dict.fromkeys(servers, float("inf"))
    clock = time.process_time
    for _ in range(rounds):
        for name, serve in servers.items():
            requests = counts[name]
            gc.collect(0)
            started = clock()
            serve(requests)
            best[name] = min(best[name], (clock() - started) / requests)
    return best


def measure(
    rounds: int = ROUNDS, seconds: float = ROUND_SECONDS
) -> tuple[dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """The fastest round of every WSGI and ASGI contestant, ``{(scenario, name): s}``.

    Shaped as the pyperf run's medians, so :func:`bench.report.wsgi_costs` and
    :func:`~bench.report.asgi_costs` turn them into costs above the bare apps.
    """
    wsgi: dict[tuple[str, str], float] = {}
    asgi: dict[tuple[str, str], float] = {}
    cases = build_cases()
    for scenario in WSGI_SCENARIOS:
        servers = {name: _wsgi(case) for name, case in cases[scenario].items()}
        for name, cost in _best(servers, rounds, seconds).items():
            wsgi[scenario, name] = cost
    every_asgi = asgi_cases()
    for scenario in ASGI_SCENARIOS:
        servers = {name: _asgi(case) for name, case in every_asgi[scenario].items()}
        for name, cost in _best(servers, rounds, seconds).items():
            asgi[scenario, name] = cost
    return wsgi, asgi


def render(
    wsgi: dict[tuple[str, str], float], asgi: dict[tuple[str, str], float], rounds: int
) -> str:
    """The targets table from the interleaved rounds, under a line saying how it was timed."""
    head = (
        f"The same targets timed in {rounds} interleaved rounds (CPU time of this process, "
        "each contestant's fastest round; `python -m bench.interleaved`):"
    )
    return head + "\n\n" + render_targets(targets(wsgi_costs(wsgi), asgi_costs(asgi)))


def main(argv: list[str] | None = None) -> int:
    """Print issue 17's targets from interleaved rounds."""
    parser = argparse.ArgumentParser(prog="python -m bench.interleaved", description=__doc__)
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="default: %(default)s")
    parser.add_argument(
        "--seconds",
        type=float,
        default=ROUND_SECONDS,
        help="CPU seconds per contestant per round (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    wsgi, asgi = measure(args.rounds, args.seconds)
    print(render(wsgi, asgi, args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
