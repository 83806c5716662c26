"""Human formatting of numbers, by unit. Pure."""

from __future__ import annotations

import math

_MINUS = "−"


def signed_percent(change: float | None, digits: int = 1) -> str:
    if change is None or not math.isfinite(change):
        return "—"
    text = f"{abs(change) * 100:.{digits}f}%"
    if text.strip("0.%") == "":
        return "±0%"
    return ("+" if change > 0 else _MINUS) + text


def signed_points(delta: float | None) -> str:
    if delta is None or not math.isfinite(delta):
        return "—"
    text = f"{abs(delta) * 100:.2f}".rstrip("0").rstrip(".")
    if text in ("0", ""):
        return "±0 pt"
    return ("+" if delta > 0 else _MINUS) + text + " pt"


def duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def size(num_bytes: float | None) -> str:
    if num_bytes is None or not math.isfinite(num_bytes):
        return "—"
    value = float(num_bytes)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"  # pragma: no cover


def count(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{int(value):,}"


def number(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.4g}"


def percent(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value * 100:.2f}%"


def value(unit: str, amount: float | None) -> str:
    formatter = {
        "fraction": percent,
        "s": duration,
        "bytes": size,
        "count": count,
        "1/s": lambda v: "—" if v is None else f"{v:,.0f}/s",
    }.get(unit, number)
    return formatter(amount)
