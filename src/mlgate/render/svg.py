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
    plot = WIDTH - label_width - right
    values = [b.value for g in groups for b in g.bars if b.value is not None]
    scale_max = nice_ceiling(max(values, default=1.0))
    height = top + sum(len(g.bars) * bar_height + gap for g in groups) + 26.0
    parts = _open(title, height, description)
    x = label_width
    for index, name in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        parts.append(f"<rect x='{x:.1f}' y='26' width='10' height='10' fill='{colour}'/>")
        parts.append(_text(x + 14, 35, name))
        x += 24 + 7.0 * len(name)
    y = top
    for group in groups:
        group_height = len(group.bars) * bar_height
        label = _clip(group.label)
        tip = group.label if label != group.label else ""
        parts.append(_text(label_width - 8, y + group_height / 2 + 4, label, "end", tip=tip))
        for bar in group.bars:
            colour = SERIES_COLOURS[list(series).index(bar.series) % len(SERIES_COLOURS)]
            if bar.value is None:
                parts.append(
                    _text(
                        label_width + 4,
                        y + bar_height - 3,
                        "not measured",
                        extra="fill='#666666' font-style='italic'",
                    )
                )
            else:
                length = max(1.0, plot * bar.value / scale_max)
                parts.append(
                    f"<rect x='{label_width:.1f}' y='{y + 1:.1f}' width='{length:.1f}' "
                    f"height='{bar_height - 2:.1f}' fill='{colour}'>"
                    f"<title>{escape(f'{group.label}, {bar.series}: {formatter(bar.value)}')}"
                    "</title></rect>"
                )
                parts.append(
                    _text(label_width + length + 4, y + bar_height - 3, formatter(bar.value))
                )
            y += bar_height
        y += gap
    axis_y = y + 4
    parts.append(
        f"<line x1='{label_width:.1f}' y1='{axis_y:.1f}' x2='{label_width + plot:.1f}' "
        f"y2='{axis_y:.1f}' stroke='#999999'/>"
    )
    for tick in range(5):
        value = scale_max * tick / 4
        tx = label_width + plot * tick / 4
        parts.append(
            f"<line x1='{tx:.1f}' y1='{axis_y:.1f}' x2='{tx:.1f}' "
            f"y2='{axis_y + 4:.1f}' stroke='#999999'/>"
        )
        parts.append(_text(tx, axis_y + 16, formatter(value), "middle", "fill='#555555'"))
    parts.append("</svg>")
    return "\n".join(parts)


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
    left, right, top, bottom = 70.0, 30.0, 48.0, 44.0
    height = 320.0
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    xs = [p.x for p in points] or [1.0]
    ys = [p.y for p in points] or [0.0]
    x_max = nice_ceiling(min(max(xs), x_limit) if x_limit else max(xs))
    y_span = nice_ceiling(max(abs(v) for v in ys) or 1.0)
    y_low, y_high = (0.0, y_span) if min(ys) >= 0 and max(ys) > 0 else (-y_span, y_span)

    def px(value: float) -> float:
        return left + plot_w * value / x_max

    def py(value: float) -> float:
        return top + plot_h * (y_high - value) / (y_high - y_low)

    parts = _open(title, height, description)
    legend_x = left
    for kind in dict.fromkeys(p.kind for p in points):
        colour, name = KIND_STYLES[kind]
        parts.append(f"<circle cx='{legend_x + 5:.1f}' cy='31' r='5' fill='{colour}'/>")
        parts.append(_text(legend_x + 14, 35, name))
        legend_x += 30 + 7.0 * len(name)
    parts.append(
        f"<rect x='{left}' y='{top}' width='{plot_w}' height='{plot_h}' "
        "fill='none' stroke='#999999'/>"
    )
    for tick in range(5):
        value = x_max * tick / 4
        parts.append(
            _text(px(value), top + plot_h + 16, x_formatter(value), "middle", "fill='#555555'")
        )
        y_value = y_low + (y_high - y_low) * tick / 4
        parts.append(
            _text(left - 6, py(y_value) + 4, y_formatter(y_value), "end", "fill='#555555'")
        )
    if y_low < 0 < y_high:
        parts.append(
            f"<line x1='{left}' y1='{py(0):.1f}' x2='{left + plot_w}' "
            f"y2='{py(0):.1f}' stroke='#cccccc' stroke-dasharray='4 3'/>"
        )
    parts.append(_text(left + plot_w / 2, height - 8, x_label, "middle"))
    parts.append(
        _text(
            14,
            top + plot_h / 2,
            y_label,
            "middle",
            f"transform='rotate(-90 14 {top + plot_h / 2:.1f})'",
        )
    )
    on_top = ("original", "recommended")  # drawn last, so never hidden under another point
    for point in sorted(points, key=lambda p: p.kind in on_top):
        colour, _ = KIND_STYLES[point.kind]
        off_scale = point.x > x_max
        x, y = px(min(point.x, x_max)), py(point.y)
        tip = f"{point.label}: {x_formatter(point.x)}, {y_formatter(point.y)}"
        fill = (
            f"fill='none' stroke='{colour}' stroke-width='2'"
            if off_scale
            else (f"fill='{colour}' fill-opacity='0.85'")
        )
        if off_scale:
            tip += " (off scale)"
        parts.append(
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='5' {fill}><title>{escape(tip)}</title></circle>"
        )
        if point.kind == "original":
            parts.append(_text(x + 8, y - 8, point.label))
        elif point.kind == "recommended":
            parts.append(_text(x + 8, y + 18, point.label))
    parts.append("</svg>")
    return "\n".join(parts)
