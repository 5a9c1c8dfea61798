"""``make bench-callgrind``: machine instructions per request, counted by valgrind's callgrind.

An instruction count does not depend on what else the machine runs, so a change can be
judged on a busy machine where timings move by 2x. ``python -m bench.callgrind`` starts
itself again under ``valgrind --tool=callgrind`` (in :func:`main`); that child builds
every app, and around each contestant's timed loop calls two libc functions nothing
else here calls: ``getppid`` (callgrind zeroes its counters on entry,
``--zero-before``) and ``getpgrp`` (callgrind writes the counts since then to a file of
its own, ``--dump-before``). The parent reads the files in order and divides by the
number of requests; each figure is above the bare app driven the same way. The child
runs with ``PYTHONHASHSEED=0``: with random string hashes, dict and set layouts differ
from run to run and so do the counts (by up to 4,000 per request); with a fixed seed two
runs of the same code agree to within 100.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["main"]

SCENARIOS = ("untouched", "read", "write", "new")
WSGI = ("bare", "floor", "sessionware", "encrypted")
#: The same Flask app on a no-op session interface (its bare app), on Flask's own
#: interface, and on sessionware through init_app.
FLASK = ("flask-noop", "flask", "flask-sessionware")
ASGI = (
    "asgi-bare",
    "asgi-floor",
    "sessionware-asgi",
    "sessionware-asgi-starlette",
    "starlette",
    "starsessions",
)
LABELS = {
    "floor": "WSGI floor (stdlib only)",
    "sessionware": "**sessionware** (WSGI)",
    "encrypted": "sessionware encrypted (WSGI)",
    "asgi-floor": "ASGI floor (inline codec)",
    "sessionware-asgi": "**sessionware.asgi** (SessionConfig)",
    "sessionware-asgi-starlette": "**sessionware.asgi** (Starlette's keywords)",
    "starlette": "Starlette 1.10 SessionMiddleware",
    "starsessions": "starsessions 2.2 (CookieStore)",
    "flask": "Flask 3.1 app, its own SecureCookieSessionInterface",
    "flask-sessionware": "the same Flask app on sessionware (`init_app`)",
}
#: Each contestant's bare app: what its figures are above.
_BARE = {"flask": "flask-noop", "flask-sessionware": "flask-noop"}
_CHILD = "SESSIONWARE_BENCH_CALLGRIND_CHILD"


def _child(order_file: str, requests: int, only: frozenset[str]) -> None:
    """Under valgrind: serve each contestant's requests between the two markers."""
    from .asgi import asgi_cases
    from .contestants import build_cases
    from .counts import asgi_server, wsgi_server

    wsgi, asgi = build_cases(), asgi_cases()
    runs: list[tuple[str, Callable[[int], object]]] = []
    for s in SCENARIOS:
        runs += [(f"{s}/{name}", wsgi_server(wsgi[s][name])) for name in _chosen(WSGI, only)]
        runs += [(f"{s}/{name}", wsgi_server(wsgi[s][name])) for name in _chosen(FLASK, only)]
        runs += [(f"{s}/{name}", asgi_server(asgi[s][name])) for name in _chosen(ASGI, only)]
    order = []
    for label, serve in runs:
        serve(10)  # warm: caches filled, first-call work done
        os.getppid()  # callgrind: zero the counters
        serve(requests)
        os.getpgrp()  # callgrind: dump the counts since the zero
        order.append(label)
    Path(order_file).write_text(json.dumps(order), encoding="utf-8")


def _chosen(names: tuple[str, ...], only: frozenset[str]) -> list[str]:
    """``names`` limited to ``only`` (all when empty), the bare app always kept."""
    return [n for n in names if not only or n in only or n.endswith(("bare", "noop"))]


def _instructions(dump: Path) -> int:
    match = re.search(r"^summary:\s+(\d+)", dump.read_text(encoding="utf-8"), re.MULTILINE)
    if match is None:
        raise SystemExit(f"{dump} has no summary line")
    return int(match.group(1))


def render(per_request: dict[str, float]) -> str:
    """The table: thousands of instructions per request above the bare app."""
    lines = [
        "| instructions per request above the bare app (thousands) | "
        + " | ".join(SCENARIOS)
        + " |",
        "|---" * (len(SCENARIOS) + 1) + "|",
    ]
    for name, label in LABELS.items():
        bare = _BARE.get(name) or ("bare" if name in WSGI else "asgi-bare")
        if f"{SCENARIOS[0]}/{name}" not in per_request:
            continue
        cells = [
            f"{(per_request[f'{s}/{name}'] - per_request[f'{s}/{bare}']) / 1000:.1f}"
            for s in SCENARIOS
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "valgrind --tool=callgrind, instructions executed (Ir) per request, each contestant",
        "after 10 warm-up requests; the same on an idle machine and a busy one. The Flask",
        "rows are above the same Flask app on a no-op session interface (`untouched`: a",
        "request that never touches flask.session).",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the child under callgrind and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per contestant")
    parser.add_argument(
        "--keep", metavar="DIR", help="copy the dumps here, named scenario-contestant.out, "
        "for callgrind_annotate (where the instructions go)"
    )  # fmt: skip
    parser.add_argument(
        "--only", default="", help="comma-separated contestants to count (default: all), "
        f"of {', '.join(n for n in WSGI + FLASK + ASGI if not n.endswith(('bare', 'noop')))}"
    )  # fmt: skip
    args = parser.parse_args(argv)
    only = frozenset(filter(None, args.only.split(",")))
    if os.environ.get(_CHILD):
        _child(os.environ[_CHILD], args.requests, only)
        return 0
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: apt-get install -y valgrind")
    with tempfile.TemporaryDirectory(prefix="sessionware-callgrind-") as tmp:
        out = Path(tmp)
        order_file = out / "order.json"
        command = [
            "valgrind", "--tool=callgrind", "--dump-instr=no", "--compress-strings=no",
            "--zero-before=getppid",
            "--dump-before=getpgrp", f"--callgrind-out-file={out}/cg.out",
            sys.executable, "-m", "bench.callgrind", "--requests", str(args.requests),
            "--only", args.only,
        ]  # fmt: skip
        env = dict(os.environ, **{_CHILD: str(order_file), "PYTHONHASHSEED": "0"})
        subprocess.run(command, check=True, env=env, stderr=subprocess.DEVNULL)
        order = json.loads(order_file.read_text(encoding="utf-8"))
        counts = {
            label: _instructions(out / f"cg.out.{index}") / args.requests
            for index, label in enumerate(order, start=1)
        }
        if args.keep:
            keep = Path(args.keep)
            keep.mkdir(parents=True, exist_ok=True)
            for index, label in enumerate(order, start=1):
                shutil.copy(out / f"cg.out.{index}", keep / (label.replace("/", "-") + ".out"))
    print(render(counts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
