"""Inline SVG charts for the release report: no scripts, no external fonts or images, every
label XML-escaped. Pure; returns markup strings that print and scale with the page."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

WIDTH = 720
FONT = "font-family='system-ui, -apple-system, Segoe UI, Roboto, sans-serif'"
SERIES_COLOURS = ("#8a94a3", "#2463d1", "#1b9e5a", "#c8553d")
KIND_STYLES = {  # scatter point kind -> (fill, label shown in the legend)
    "original": ("#111111", "original head model"),
    "recommended": ("#1b9e5a", "recommended"),
    "faster": ("#2463d1", "faster, not chosen"),
    "other": ("#8a94a3", "not faster"),
    "rejected": ("#c8553d", "outside the accuracy budget"),
}


@dataclass(frozen=True)
class Bar:
    series: str
    value: float | None  # None: not measured (drawn as a note, not as zero)


@dataclass(frozen=True)
class BarGroup:
    label: str
    bars: Sequence[Bar]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    kind: str  # a key of KIND_STYLES


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (axis ends on a round number)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value * (1 - 1e-12):
            return float(candidate)
    return float(10 ** (exponent + 1))


def _clip(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]


def _text(x: float, y: float, text: str, anchor: str = "start", extra: str = "",
          tip: str = "", size: int = 12) -> str:  # fmt: skip
    title = f"<title>{escape(tip)}</title>" if tip else ""
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' {FONT} font-size='{size}' "
        f"{extra}>"
        f"{title}{escape(text)}</text>"
    )


def _open(title: str, height: float, description: str) -> list[str]:
    return [
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {WIDTH} {height:.0f}' "
        f"width='100%' role='img' aria-label={quoteattr(title)}>",
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(description)}</desc>",
        f"<rect width='{WIDTH}' height='{height:.0f}' fill='#ffffff'/>",
        _text(8, 18, title, extra="font-weight='600'", size=14),
    ]


def _series_legend(series: Sequence[str], x: float) -> list[str]:
    parts = []
    for index, name in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f"<rect x='{x:.1f}' y='26' width='10' height='10' fill='{colour}'/>")
        parts.append(_text(x + 14, 35, name))
        x += 24 + 7.0 * len(name)
    return parts


@dataclass(frozen=True)
class _Bars:
    """Where a bar chart draws: the label column, the plot's width and the scale."""

    label_width: float
    plot: float
    scale_max: float
    bar_height: float
    formatter: Callable[[float], str]

    def bar(self, y: float, group: str, bar: Bar, colour: str) -> list[str]:
        if bar.value is None:
            note = "fill='#666666' font-style='italic'"
            return [
                _text(self.label_width + 4, y + self.bar_height - 3, "not measured", extra=note)
            ]
        length = max(1.0, self.plot * bar.value / self.scale_max)
        shown = self.formatter(bar.value)
        return [
            f"<rect x='{self.label_width:.1f}' y='{y + 1:.1f}' width='{length:.1f}' "
            f"height='{self.bar_height - 2:.1f}' fill='{colour}'>"
            f"<title>{escape(f'{group}, {bar.series}: {shown}')}"
            "</title></rect>",
            _text(self.label_width + length + 4, y + self.bar_height - 3, shown),
        ]

    def axis(self, axis_y: float) -> list[str]:
        left = self.label_width
        parts = [
            f"<line x1='{left:.1f}' y1='{axis_y:.1f}' x2='{left + self.plot:.1f}' "
            f"y2='{axis_y:.1f}' stroke='#999999'/>"
        ]
        for tick in range(5):
            value = self.scale_max * tick / 4
            tx = left + self.plot * tick / 4
            parts.append(
                f"<line x1='{tx:.1f}' y1='{axis_y:.1f}' x2='{tx:.1f}' "
                f"y2='{axis_y + 4:.1f}' stroke='#999999'/>"
            )
            parts.append(_text(tx, axis_y + 16, self.formatter(value), "middle", "fill='#555555'"))
        return parts


def bar_chart(
    title: str,
    groups: Sequence[BarGroup],
    series: Sequence[str],
    formatter: Callable[[float], str],
    description: str = "",
) -> str:
    """Horizontal grouped bars, one group per label, one bar per series, values printed."""
    label_width, right, bar_height, gap = 190.0, 90.0, 14.0, 10.0
    top = 30.0 + 18.0  # title, then legend
    values = [b.value for g in groups for b in g.bars if b.value is not None]
    bars = _Bars(label_width, WIDTH - label_width - right,
                 nice_ceiling(max(values, default=1.0)), bar_height, formatter)  # fmt: skip
    height = top + sum(len(g.bars) * bar_height + gap for g in groups) + 26.0
    parts = [*_open(title, height, description), *_series_legend(series, label_width)]
    y = top
    for group in groups:
        group_height = len(group.bars) * bar_height
        label = _clip(group.label)
        tip = group.label if label != group.label else ""
        parts.append(_text(label_width - 8, y + group_height / 2 + 4, label, "end", tip=tip))
        for bar in group.bars:
            colour = SERIES_COLOURS[list(series).index(bar.series) % len(SERIES_COLOURS)]
            parts += bars.bar(y, group.label, bar, colour)
            y += bar_height
        y += gap
    parts += bars.axis(y + 4)
    parts.append("</svg>")
    return "\n".join(parts)


@dataclass(frozen=True)
class _Frame:
    """A scatter plot's frame: its box on the canvas and the value ranges on its axes."""

    left: float
    top: float
    plot_w: float
    plot_h: float
    x_max: float
    y_low: float
    y_high: float

    def px(self, value: float) -> float:
        return self.left + self.plot_w * value / self.x_max

    def py(self, value: float) -> float:
        return self.top + self.plot_h * (self.y_high - value) / (self.y_high - self.y_low)


def _frame(points: Sequence[Point], height: float, x_limit: float | None) -> _Frame:
    left, right, top, bottom = 70.0, 30.0, 48.0, 44.0
    xs = [p.x for p in points] or [1.0]
    ys = [p.y for p in points] or [0.0]
    x_max = nice_ceiling(min(max(xs), x_limit) if x_limit else max(xs))
    y_span = nice_ceiling(max(abs(v) for v in ys) or 1.0)
    y_low, y_high = (0.0, y_span) if min(ys) >= 0 and max(ys) > 0 else (-y_span, y_span)
    return _Frame(left, top, WIDTH - left - right, height - top - bottom, x_max, y_low, y_high)


def _kind_legend(points: Sequence[Point], x: float) -> list[str]:
    parts = []
    for kind in dict.fromkeys(p.kind for p in points):
        colour, name = KIND_STYLES[kind]
        parts.append(f"<circle cx='{x + 5:.1f}' cy='31' r='5' fill='{colour}'/>")
        parts.append(_text(x + 14, 35, name))
        x += 30 + 7.0 * len(name)
    return parts


def _scatter_axes(f: _Frame, height: float, labels: tuple[str, str],
                  formatters: tuple[Callable[[float], str], Callable[[float], str]],
                  ) -> list[str]:  # fmt: skip
    x_formatter, y_formatter = formatters
    parts = [
        f"<rect x='{f.left}' y='{f.top}' width='{f.plot_w}' height='{f.plot_h}' "
        "fill='none' stroke='#999999'/>"
    ]
    grey = "fill='#555555'"
    for tick in range(5):
        value = f.x_max * tick / 4
        parts.append(_text(f.px(value), f.top + f.plot_h + 16, x_formatter(value), "middle", grey))
        y_value = f.y_low + (f.y_high - f.y_low) * tick / 4
        parts.append(_text(f.left - 6, f.py(y_value) + 4, y_formatter(y_value), "end", grey))
    if f.y_low < 0 < f.y_high:
        parts.append(
            f"<line x1='{f.left}' y1='{f.py(0):.1f}' x2='{f.left + f.plot_w}' "
            f"y2='{f.py(0):.1f}' stroke='#cccccc' stroke-dasharray='4 3'/>"
        )
    middle = f.top + f.plot_h / 2
    parts.append(_text(f.left + f.plot_w / 2, height - 8, labels[0], "middle"))
    parts.append(_text(14, middle, labels[1], "middle", f"transform='rotate(-90 14 {middle:.1f})'"))
    return parts


def _scatter_point(f: _Frame, point: Point, x_formatter: Callable[[float], str],
                   y_formatter: Callable[[float], str]) -> list[str]:  # fmt: skip
    colour, _ = KIND_STYLES[point.kind]
    off_scale = point.x > f.x_max
    x, y = f.px(min(point.x, f.x_max)), f.py(point.y)
    tip = f"{point.label}: {x_formatter(point.x)}, {y_formatter(point.y)}"
    fill = (
        f"fill='none' stroke='{colour}' stroke-width='2'"
        if off_scale
        else (f"fill='{colour}' fill-opacity='0.85'")
    )
    if off_scale:
        tip += " (off scale)"
    parts = [
        f"<circle cx='{x:.1f}' cy='{y:.1f}' r='5' {fill}><title>{escape(tip)}</title></circle>"
    ]
    if point.kind == "original":
        parts.append(_text(x + 8, y - 8, point.label))
    elif point.kind == "recommended":
        parts.append(_text(x + 8, y + 18, point.label))
    return parts


def scatter(
    title: str,
    points: Sequence[Point],
    x_label: str,
    y_label: str,
    x_formatter: Callable[[float], str],
    y_formatter: Callable[[float], str],
    description: str = "",
    x_limit: float | None = None,
) -> str:
    """Points on x (lower is better, e.g. latency) and y (e.g. accuracy change). Points past
    `x_limit` sit on the right edge, hollow ("off scale"), so one very slow variant does not
    squeeze the rest into a corner. The original and the recommended point are labelled."""
    height = 320.0
    frame = _frame(points, height, x_limit)
    parts = [*_open(title, height, description), *_kind_legend(points, frame.left)]
    parts += _scatter_axes(frame, height, (x_label, y_label), (x_formatter, y_formatter))
    on_top = ("original", "recommended")  # drawn last, so never hidden under another point
    for point in sorted(points, key=lambda p: p.kind in on_top):
        parts += _scatter_point(frame, point, x_formatter, y_formatter)
    parts.append("</svg>")
    return "\n".join(parts)
