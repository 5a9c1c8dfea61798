"""``python -m bench.flask_pair``: one Flask app on Flask's sessions and on sessionware.

The pyperf run (``make bench``) times each app in turn, so on a shared machine a burst
of someone else's load lands on one app and not the other. This times the same three
apps of :mod:`bench.contestants` (``flask-noop``, ``flask``, ``flask-sessionware``) in
interleaved rounds, in CPU time of this process (time spent waiting for a CPU another
job holds is not counted), and keeps each app's fastest round. It is a cross-check of
the ``make bench`` rows on a busy machine, not a replacement.
"""

from __future__ import annotations

import argparse
import gc
import time

from .common import run_once
from .contestants import Case, build_cases

__all__ = ["main"]

NAMES = ("flask-noop", "flask", "flask-sessionware")


def _round(case: Case, requests: int) -> float:
    """Microseconds per request over ``requests`` requests of one case."""
    app, environ = case.app, case.environ
    start = time.process_time()
    for _ in range(requests):
        run_once(app, dict(environ))
    return (time.process_time() - start) / requests * 1e6


def main() -> int:
    """Print the Flask pair's cost in each scenario, in us above the no-op interface."""
    parser = argparse.ArgumentParser(prog="python -m bench.flask_pair", description=__doc__)
    parser.add_argument("--rounds", type=int, default=40, help="rounds (default: %(default)s)")
    parser.add_argument(
        "--requests", type=int, default=300, help="requests per round (default: %(default)s)"
    )
    parser.add_argument("--scenarios", default="read,write,new", help="comma-separated")
    args = parser.parse_args()
    cases = build_cases()
    print("| Flask app, us above its no-op interface | Flask 3.1 | sessionware init_app | ratio |")
    print("|---|---|---|---|")
    gc.disable()  # a collection in one app's round would be charged to it alone
    try:
        for scenario in args.scenarios.split(","):
            best = dict.fromkeys(NAMES, float("inf"))
            for _ in range(args.rounds):
                for name in NAMES:
                    cost = _round(cases[scenario][name], args.requests)
                    best[name] = min(best[name], cost)
                gc.collect()
            theirs = best["flask"] - best["flask-noop"]
            ours = best["flask-sessionware"] - best["flask-noop"]
            print(f"| {scenario} | {theirs:.1f} | {ours:.1f} | {theirs / ours:.1f}x faster |")
    finally:
        gc.enable()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
