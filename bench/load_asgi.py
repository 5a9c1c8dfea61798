"""``make load-asgi``: a visit counter under uvicorn on loopback, driven by wrk.

The ASGI twin of ``make load``: each variant (no sessions, sessionware.asgi,
Starlette's SessionMiddleware) gets a fresh uvicorn on 127.0.0.1, a short warm-up
and a bounded wrk run replaying one session cookie, so every request verifies the
cookie, counts the visit and signs a new one.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys

from .load import ROOT, Result, _cookie, _free_port, _milliseconds, _wait_until_serving

__all__ = ["main"]

VARIANTS = (
    ("bare ASGI app (no sessions)", "bench.load_asgi_apps:bare"),
    ("sessionware.asgi", "bench.load_asgi_apps:sessionware"),
    ("Starlette 1.10 SessionMiddleware", "bench.load_asgi_apps:starlette"),
)


def run_variant(target: str, args: argparse.Namespace) -> Result:
    """Serve ``target`` with uvicorn, load it with wrk, stop uvicorn."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, SESSIONWARE_SECRET_KEY=secrets.token_hex(32))
    command = [
        sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(args.workers), "--log-level", "warning", "--no-access-log", target,
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait_until_serving(url, server)
        cookie = _cookie(url)
        wrk = ["wrk", "-t", "1", "-c", str(args.connections), "--latency"]
        if cookie:
            wrk += ["-H", f"Cookie: {cookie}"]
        subprocess.run([*wrk, "-d", "2s", url], check=True, capture_output=True)  # warm-up
        output = subprocess.run(
            [*wrk, "-d", f"{args.duration}s", url], check=True, capture_output=True, text=True
        ).stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.MULTILINE)
    if rate is None or p99 is None or "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk run of {target} was not clean:\n{output}")
    return Result(float(rate.group(1)), _milliseconds(p99.group(1)))


def main(argv: list[str] | None = None) -> int:
    """Run every variant and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per variant")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk (make load-asgi does it)")
    results = [(label, run_variant(target, args)) for label, target in VARIANTS]
    bare = results[0][1]
    print(
        f"uvicorn, {args.workers} worker(s) on 127.0.0.1; wrk 1 thread, {args.connections} "
        f"connections, {args.duration} s per variant; {os.cpu_count()} CPUs shared by both"
    )
    print()
    print("| visit counter under uvicorn | requests/s | p99 latency | vs bare |")
    print("|---|---|---|---|")
    for label, result in results:
        share = result.requests_per_second / bare.requests_per_second
        print(
            f"| {label} | {result.requests_per_second:.0f} | {result.p99_ms:.2f} ms | {share:.1%} |"
        )
    ours, theirs = results[1][1], results[2][1]
    print()
    print(
        f"sessionware.asgi serves {ours.requests_per_second / theirs.requests_per_second:.2f}x "
        "the requests/s of Starlette's middleware."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
