"""Bar charts drawn on the server as SVG shapes: no script, no library, readable offline.

`bars()` returns the geometry; the template only writes it out, so every
label passes through the template's escaping.
"""

import math
from dataclasses import dataclass, field

WIDTH, HEIGHT = 760, 220  # the SVG's own units; it is scaled to the page width
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 10, 34  # room for the axis labels


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list = field(default_factory=list)  # (x, y, w, h, series index, tooltip)
    grid: list = field(default_factory=list)  # (y, label)
    labels: list = field(default_factory=list)  # (x, label) under the bars
    baseline: float = HEIGHT - BOTTOM


def bars(days, series, unit="", short=lambda day: day[5:]):
    """Chart of grouped bars: `days` are labels, `series` is [(name, [value per day])];
    `short` gives the label written under a bar (a day's month and day by default)."""
    chart = Chart()
    top = nice_top(max([5, *(v for _, values in series for v in values)]))
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = inner_w / max(len(days), 1)
    bar_w = max(slot * 0.8 / max(len(series), 1), 1)
    steps = 4 if str(top).startswith("2") else 5  # whole numbers on the axis
    for step in range(steps + 1):
        chart.grid.append((round(TOP + inner_h - inner_h * step / steps, 1), _short(top * step / steps)))
    every = max(1, round(len(days) / 10))  # about ten dates fit under the chart
    for i, day in enumerate(days):
        x0 = LEFT + slot * i + slot * 0.1
        for s, (name, values) in enumerate(series):
            h = inner_h * values[i] / top if top else 0
            chart.bars.append((round(x0 + s * bar_w, 1), round(TOP + inner_h - h, 1),
                               round(max(bar_w - 0.5, 0.5), 1), round(h, 1), s,
                               f"{day}: {_plain(values[i])}{unit} {name}"))
        if i % every == 0:
            chart.labels.append((round(LEFT + slot * (i + 0.5), 1), short(day)))
    return chart


def nice_top(value):
    """The axis top: 1, 2 or 5 times a power of ten, at least `value` (1 when nothing)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(f * power for f in (1, 2, 5, 10) if f * power >= value)


def _short(value):
    return f"{value / 1000:g}k" if value >= 10_000 else f"{value:g}"


def _plain(value):
    return f"{value:,.2f}" if isinstance(value, float) and not value.is_integer() else f"{value:,.0f}"
