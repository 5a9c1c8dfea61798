"""``make load-asgi``: a visit counter under uvicorn on loopback, driven by wrk.

The ASGI twin of ``make load``: each variant (no sessions, sessionware.asgi,
Starlette's SessionMiddleware) gets a fresh uvicorn on 127.0.0.1, a short warm-up
and a bounded wrk run replaying one session cookie, so every request verifies the
cookie, counts the visit and signs a new one.
"""

from __future__ import annotations

import argparse
import os
import sys

from .load import Result, load, load_average, print_table, require_wrk, target_row, wrk_options

__all__ = ["main"]

VARIANTS = (
    ("bare ASGI app (no sessions)", "bench.load_asgi_apps:bare"),
    ("sessionware.asgi", "bench.load_asgi_apps:sessionware"),
    ("Starlette 1.10 SessionMiddleware", "bench.load_asgi_apps:starlette"),
)


def run_variant(target: str, args: argparse.Namespace) -> Result:
    """Serve ``target`` with uvicorn, load it with wrk, stop uvicorn."""

    def uvicorn(port: int) -> list[str]:
        return [
            sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(args.workers), "--log-level", "warning", "--no-access-log", target,
        ]  # fmt: skip

    return load(f"uvicorn serving {target}", uvicorn, args)


def main(argv: list[str] | None = None) -> int:
    """Run every variant and print the table."""
    args = wrk_options(__doc__.splitlines()[0]).parse_args(argv)
    require_wrk("make load-asgi")
    results = [(label, run_variant(target, args)) for label, target in VARIANTS]
    print_table(
        f"uvicorn, {args.workers} worker(s) on 127.0.0.1; wrk 1 thread, {args.connections} "
        f"connections, {args.duration} s per variant; {os.cpu_count()} CPUs shared by both; "
        f"{load_average()}",
        "visit counter under uvicorn",
        results,
    )
    ours, theirs = results[1][1], results[2][1]
    print()
    share = ours.requests_per_second / theirs.requests_per_second
    print(target_row("make load-asgi: sessionware.asgi vs Starlette's middleware", share, 1.05))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
