"""Issue 17's targets: each row's measured ratio beside its target, PASS or MISS by how much.

Every figure comes from one ``make bench`` run (µs above the bare app, medians of pyperf
runs), so each ratio compares contestants measured minutes apart on the same machine.
The ``make load`` and ``make load-asgi`` rows are judged by those commands
(:func:`verdict` is shared).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Target", "render_targets", "targets", "verdict"]

Sense = Literal["at_most", "at_least"]


@dataclass(frozen=True)
class Target:
    """One row of the issue's table: what is measured, its unit and the bound."""

    row: str
    measured: float
    bound: float
    sense: Sense
    unit: str = "x"

    @property
    def met(self) -> bool:
        """Whether the measured figure is on the right side of the bound."""
        if self.sense == "at_most":
            return self.measured <= self.bound
        return self.measured >= self.bound


def _digits(target: Target) -> int:
    """Decimals to show: three where two would print a miss as the bound itself."""
    close = not target.met and round(target.measured, 2) == round(target.bound, 2)
    return 3 if close else 2


def verdict(target: Target) -> str:
    """``PASS``, or ``MISS`` with the gap in the target's unit and as a share of it."""
    if target.met:
        return "PASS"
    gap = abs(target.measured - target.bound)
    share = gap / target.bound if target.bound else float("inf")
    side = "over" if target.sense == "at_most" else "short"
    digits = _digits(target)
    return f"MISS by {gap:.{digits}f} {target.unit} ({share:.{digits - 2}%} {side})"


def _shown(value: float, unit: str, digits: int = 2) -> str:
    return f"{value:.{digits}f}{unit}" if unit == "x" else f"{value:.{digits}f} {unit}"


def _bound(target: Target) -> str:
    sign = "<=" if target.sense == "at_most" else ">="
    return f"{sign} {_shown(target.bound, target.unit)}"


def _speedup(slow: float, fast: float) -> float:
    """How many times less ``fast`` costs than ``slow`` (``slow / fast``)."""
    return slow / max(fast, 1e-9)


def targets(wsgi: dict[tuple[str, str], float], asgi: dict[tuple[str, str], float]) -> list[Target]:
    """The rows of the table from µs above the bare app, ``{(contestant, scenario): us}``.

    Rows whose figures the run lacks (``--no-asgi``, a partial selection) are left out.
    """
    rows: list[Target] = []

    def add(row: str, measured: float | None, bound: float, sense: Sense, unit: str = "x") -> None:
        if measured is not None:
            rows.append(Target(row, measured, bound, sense, unit))

    def w(name: str, scenario: str) -> float | None:
        return wsgi.get((name, scenario))

    def a(name: str, scenario: str) -> float | None:
        return asgi.get((name, scenario))

    def ratio(cost: dict[tuple[str, str], float], slow: str, fast: str, s: str) -> float | None:
        if (slow, s) not in cost or (fast, s) not in cost:
            return None
        return _speedup(cost[slow, s], cost[fast, s])

    for ours, label in (
        ("sessionware-asgi", "sessionware.asgi (SessionConfig)"),
        ("sessionware-asgi-starlette", "sessionware.asgi (Starlette's keywords)"),
    ):
        for s in ("read", "write", "new"):
            add(f"ASGI {s}: {label} vs Starlette, x faster", ratio(asgi, "starlette", ours, s),
                1.3, "at_least")  # fmt: skip
    add("ASGI untouched: sessionware.asgi, us", a("sessionware-asgi", "untouched"), 1.0,
        "at_most", "us")  # fmt: skip
    for s in ("read", "write", "new"):
        floor, cost = w("floor", s), w("sessionware", s)
        add(f"WSGI {s}: sessionware vs the stdlib floor, x its cost",
            None if floor is None or cost is None else cost / max(floor, 1e-9), 1.4,
            "at_most")  # fmt: skip
    add("WSGI untouched: sessionware, us", w("sessionware", "untouched"), 0.5, "at_most", "us")
    add("WSGI write: sessionware vs Beaker 1.14, x faster",
        ratio(wsgi, "beaker", "sessionware", "write"), 5.0, "at_least")  # fmt: skip
    add("WSGI new: sessionware vs Beaker 1.14, x faster",
        ratio(wsgi, "beaker", "sessionware", "new"), 4.0, "at_least")  # fmt: skip
    for s in ("read", "write", "new"):
        signed = w("sessionware", s)
        encrypted = w("encrypted", s)
        add(f"WSGI {s}: encrypted vs signed, x its cost",
            None if signed is None or encrypted is None else encrypted / max(signed, 1e-9),
            1.0, "at_most")  # fmt: skip
    for s in ("read", "write", "new"):
        add(f"Flask app {s}: init_app vs Flask's interface, x faster",
            ratio(wsgi, "flask", "flask-sessionware", s), 4.0, "at_least")  # fmt: skip
    return rows


def render_targets(rows: list[Target]) -> str:
    """The table in Markdown, then how many rows pass."""
    lines = [
        "| issue 17 target | measured | target | verdict |",
        "|---|---|---|---|",
    ]
    for target in rows:
        lines.append(
            f"| {target.row} | {_shown(target.measured, target.unit, _digits(target))} "
            f"| {_bound(target)} "
            f"| {verdict(target)} |"
        )
    passed = sum(target.met for target in rows)
    lines += [
        "",
        f"{passed} of {len(rows)} rows pass. `make load` (gunicorn, reader app vs bare, "
        ">= 0.92) and `make load-asgi` (uvicorn vs Starlette's middleware, >= 1.05) print "
        "their own rows.",
    ]
    return "\n".join(lines)
