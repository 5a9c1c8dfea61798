"""The run as a bar chart: an SVG written by ``make bench`` for the docs' performance page.

One panel for WSGI and one for ASGI; in each, one group of bars per scenario, the
contestants side by side, and the floor (the least work a signed cookie takes) drawn as
a dashed line across its group. A bar taller than the panel's scale is cut at the top
and labelled with its value, so that the bars that matter stay readable. The SVG is
written by hand: no plotting library is needed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from pathlib import Path

__all__ = ["CHART_PATH", "Panel", "svg", "write_chart"]

#: Where ``make bench`` writes the chart; docs/performance.md shows it.
CHART_PATH = Path(__file__).resolve().parent.parent / "docs" / "_static" / "bench.svg"

_WIDTH = 960
_PANEL_HEIGHT = 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 16, 64, 40
_COLOURS = ("#1b6ca8", "#5aa9e6", "#8fbf3f", "#e0a030", "#c0504d", "#8064a2")
_FLOOR_COLOUR = "#222222"

Cost = dict[tuple[str, str], float]
Panel = tuple[str, Sequence[str], Sequence[tuple[str, str]], Cost]
"""(title, scenarios, (contestant, label) pairs, ``{(contestant, scenario): us}``)."""


def _scale(values: Sequence[float]) -> tuple[float, float]:
    """The top of the axis and the tick step for ``values`` (µs)."""
    top = max(values, default=1.0) * 1.15 or 1.0
    step = 10 ** math.floor(math.log10(top / 4))
    for factor in (1, 2, 5, 10):
        if top / (step * factor) <= 6:
            step *= factor
            break
    return math.ceil(top / step) * step, step


def _panel(panel: Panel, floor: str, y0: float, capped: set[str]) -> list[str]:
    title, scenarios, contestants, cost = panel
    shown = [(name, label) for name, label in contestants if name != floor]
    scaled = [
        cost[name, s]
        for name, _ in shown
        for s in scenarios
        if (name, s) in cost and name not in capped
    ] + [cost[floor, s] for s in scenarios if (floor, s) in cost]
    top, step = _scale(scaled)
    plot_w = _WIDTH - _LEFT - _RIGHT
    plot_h = _PANEL_HEIGHT - _TOP - _BOTTOM
    base = y0 + _TOP + plot_h

    def y(value: float) -> float:
        return base - min(value, top) / top * plot_h

    out = [f'<text x="{_LEFT}" y="{y0 + 22}" class="title">{escape(title)}</text>']
    spacing = (_WIDTH - _LEFT - _RIGHT) // (len(shown) + 1)
    for index, (_, label) in enumerate(shown):
        key_x = _LEFT + index * spacing
        out.append(
            f'<rect x="{key_x}" y="{y0 + 32}" width="12" height="12" '
            f'fill="{_COLOURS[index % len(_COLOURS)]}"/>'
            f'<text x="{key_x + 16}" y="{y0 + 42}">{escape(label)}</text>'
        )
    key_x = _LEFT + len(shown) * spacing
    out.append(
        f'<line x1="{key_x}" y1="{y0 + 38}" x2="{key_x + 24}" y2="{y0 + 38}" class="floor"/>'
        f'<text x="{key_x + 28}" y="{y0 + 42}">floor</text>'
    )
    tick = 0.0
    while tick <= top + 1e-9:
        out.append(
            f'<line x1="{_LEFT}" y1="{y(tick):.1f}" x2="{_WIDTH - _RIGHT}" y2="{y(tick):.1f}" '
            f'class="grid"/><text x="{_LEFT - 6}" y="{y(tick) + 4:.1f}" class="tick">'
            f"{tick:g}</text>"
        )
        tick += step
    out.append(
        f'<text x="14" y="{base - plot_h / 2:.1f}" class="axis" '
        f'transform="rotate(-90 14 {base - plot_h / 2:.1f})">'
        "µs per request above the bare app</text>"
    )
    group_w = plot_w / len(scenarios)
    bar_w = group_w * 0.8 / max(len(shown), 1)
    for g, scenario in enumerate(scenarios):
        left = _LEFT + g * group_w + group_w * 0.1
        for index, (name, _) in enumerate(shown):
            if (name, scenario) not in cost:
                continue
            value = cost[name, scenario]
            x = left + index * bar_w
            top_y = y(max(value, 0.0))
            out.append(
                f'<rect x="{x:.1f}" y="{top_y:.1f}" width="{bar_w - 2:.1f}" '
                f'height="{base - top_y:.1f}" fill="{_COLOURS[index % len(_COLOURS)]}">'
                f"<title>{escape(name)} {escape(scenario)}: {value:.2f} µs</title></rect>"
            )
            cut = value > top
            out.append(
                f'<text x="{x + bar_w / 2 - 1:.1f}" y="{top_y - 3 + (12 if cut else 0):.1f}" '
                f'class="{"value cut" if cut else "value"}">{value:.1f}</text>'
            )
        if (floor, scenario) in cost:
            fy = y(cost[floor, scenario])
            out.append(
                f'<line x1="{left - 4:.1f}" y1="{fy:.1f}" x2="{left + group_w * 0.8 + 2:.1f}" '
                f'y2="{fy:.1f}" class="floor"/>'
            )
        out.append(
            f'<text x="{left + group_w * 0.4:.1f}" y="{base + 18:.1f}" class="scenario">'
            f"{escape(scenario)}</text>"
        )
    return out


def svg(panels: Sequence[Panel], floors: Sequence[str], capped: set[str], note: str) -> str:
    """The chart's SVG text; ``capped`` contestants do not set a panel's scale."""
    height = _PANEL_HEIGHT * len(panels) + 30
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" font-family="sans-serif" font-size="12">',
        "<style>.title{font-size:15px;font-weight:bold}.grid{stroke:#ddd}"
        ".tick{text-anchor:end;fill:#555}.axis{text-anchor:middle;fill:#555}"
        ".value{text-anchor:middle;font-size:9px;fill:#333}.cut{fill:#fff}"
        ".scenario{text-anchor:middle;font-size:13px}"
        f".floor{{stroke:{_FLOOR_COLOUR};stroke-width:2;stroke-dasharray:5 3}}</style>",
        f'<rect width="{_WIDTH}" height="{height}" fill="#fff"/>',
    ]
    for index, (panel, floor) in enumerate(zip(panels, floors, strict=True)):
        out += _panel(panel, floor, index * _PANEL_HEIGHT, capped)
    out.append(f'<text x="{_LEFT}" y="{height - 10}" class="tick" style="text-anchor:start">')
    out.append(f"{escape(note)}</text></svg>")
    return "\n".join(out) + "\n"


def write_chart(
    panels: Sequence[Panel], floors: Sequence[str], capped: set[str], note: str
) -> Path:
    """Write the chart to :data:`CHART_PATH` and return the path."""
    CHART_PATH.parent.mkdir(parents=True, exist_ok=True)
    CHART_PATH.write_text(svg(panels, floors, capped, note), encoding="utf-8")
    return CHART_PATH
