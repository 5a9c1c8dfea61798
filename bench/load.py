"""``make load``: the example app under gunicorn on loopback, driven by wrk.

Each variant (the app without sessions, then with sessionware) gets a fresh gunicorn
on 127.0.0.1, a short warm-up and a bounded wrk run; the table gives requests per
second and p99 latency. wrk replays one session cookie, so every request with
sessionware verifies it, counts the visit and signs a new cookie: the example's
write on every page view.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "Result",
    "load",
    "load_average",
    "main",
    "print_table",
    "require_wrk",
    "target_row",
    "wrk_options",
]

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = (
    ("bare app (no sessions)", "bench.load_apps:bare"),
    ("sessionware", "bench.load_apps:wrapped"),
)
READER_VARIANTS = (
    ("reader app, bare (no sessions)", "bench.load_apps:reader_bare"),
    ("reader app, sessionware", "bench.load_apps:reader"),
)
#: Issue 17: the reader app under sessionware serves this share of the bare reader's rate.
READER_TARGET = 0.92


@dataclass(frozen=True)
class Result:
    """What wrk measured for one variant."""

    requests_per_second: float
    p99_ms: float


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_serving(url: str, server: subprocess.Popen[bytes], name: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"{name} exited with {server.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - our http:// URL
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{name} did not answer on {url} within 30 s")


def _cookie(url: str) -> str | None:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - our http:// URL
        value = response.headers.get("Set-Cookie")
    return None if value is None else value.split(";", 1)[0]


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk_options(description: str) -> argparse.ArgumentParser:
    """The options of every load run: seconds of wrk, its connections, server workers."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per variant")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    return parser


def require_wrk(make_target: str) -> None:
    """Stop with how to install wrk when it is missing."""
    if shutil.which("wrk") is None:
        raise SystemExit(f"wrk is not installed: apt-get install -y wrk ({make_target} does it)")


def load(name: str, server: Callable[[int], list[str]], args: argparse.Namespace) -> Result:
    """Start ``server(port)`` on a free port, load it with wrk, stop it.

    ``name`` says what ran in an error. wrk replays the session cookie of the first
    response, after a 2-second warm-up; a run with a non-2xx answer or a socket error
    stops the benchmark rather than count.
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    env = dict(os.environ, SESSIONWARE_SECRET_KEY=secrets.token_hex(32))
    process = subprocess.Popen(server(port), cwd=ROOT, env=env)
    try:
        _wait_until_serving(url, process, name)
        cookie = _cookie(url)
        wrk = ["wrk", "-t", "1", "-c", str(args.connections), "--latency"]
        if cookie:
            wrk += ["-H", f"Cookie: {cookie}"]
        subprocess.run([*wrk, "-d", "2s", url], check=True, capture_output=True)  # warm-up
        output = subprocess.run(
            [*wrk, "-d", f"{args.duration}s", url], check=True, capture_output=True, text=True
        ).stdout
    finally:
        process.terminate()
        process.wait(timeout=30)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.MULTILINE)
    if rate is None or p99 is None or "Non-2xx" in output or "Socket errors" in output:
        raise SystemExit(f"wrk run under {name} was not clean:\n{output}")
    return Result(float(rate.group(1)), _milliseconds(p99.group(1)))


def print_table(setup: str, subject: str, results: list[tuple[str, Result]]) -> None:
    """``setup``, then a Markdown table of ``results`` against the first (the bare app)."""
    bare = results[0][1]
    print(setup)
    print()
    print(f"| {subject} | requests/s | p99 latency | vs bare |")
    print("|---|---|---|---|")
    for label, result in results:
        share = result.requests_per_second / bare.requests_per_second
        print(
            f"| {label} | {result.requests_per_second:.0f} | {result.p99_ms:.2f} ms | {share:.1%} |"
        )


def run_variant(target: str, args: argparse.Namespace) -> Result:
    """Serve ``target`` with gunicorn, load it with wrk, stop gunicorn."""

    def gunicorn(port: int) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", str(args.workers), "--worker-class", "gthread",
            "--threads", str(args.threads), "--log-level", "warning", target,
        ]  # fmt: skip

    return load(f"gunicorn serving {target}", gunicorn, args)


def main(argv: list[str] | None = None) -> int:
    """Run both variants and print the table."""
    parser = wrk_options(__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    require_wrk("make load")
    setup = (
        f"gunicorn gthread, {args.workers} worker(s) x {args.threads} threads on 127.0.0.1; "
        f"wrk 1 thread, {args.connections} connections, {args.duration} s per variant; "
        f"{os.cpu_count()} CPUs shared by both; {load_average()}"
    )
    results = [(label, run_variant(target, args)) for label, target in VARIANTS]
    print_table(setup, "example app (a write per request) under gunicorn", results)
    readers = [(label, run_variant(target, args)) for label, target in READER_VARIANTS]
    print()
    print_table(setup, "reader app (a read per request) under gunicorn", readers)
    share = readers[1][1].requests_per_second / readers[0][1].requests_per_second
    print()
    print(target_row("make load: reader app, sessionware vs bare", share, READER_TARGET))
    return 0


def load_average() -> str:
    """The 1/5/15-minute load averages, to state the load a run had."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f}"


def target_row(row: str, measured: float, bound: float) -> str:
    """Issue 17's table row for a load run: the ratio, the target, PASS or MISS."""
    from .targets import Target, render_targets

    return render_targets([Target(row, measured, bound, "at_least")]).split("\n\n", 1)[0]


if __name__ == "__main__":
    raise SystemExit(main())
