"""Human formatting of numbers, by unit. Pure."""

from __future__ import annotations

import math
from collections.abc import Callable

_MINUS = "−"


def signed_percent(change: float | None, digits: int = 1) -> str:
    """+3.4%, −12.0%; a change of 2x or more either way reads as a factor (×4.52, ×0.31)."""
    if change is None or not math.isfinite(change):
        return "—"
    if change >= 1.0 or change <= -0.5:
        return f"×{1.0 + change:.3g}"
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
    for unit in ("B", "KiB", "MiB"):
        if abs(value) < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def energy(joules: float | None) -> str:
    if joules is None or not math.isfinite(joules):
        return "—"
    for scale, unit in ((1.0, "J"), (1e-3, "mJ"), (1e-6, "µJ"), (1e-9, "nJ")):
        if abs(joules) >= scale:
            return f"{joules / scale:.3g} {unit}"
    return f"{joules * 1e12:.3g} pJ"


def dollars(amount: float | None) -> str:
    if amount is None or not math.isfinite(amount):
        return "—"
    return f"${amount:.3g}" if abs(amount) < 100 else f"${amount:,.0f}"


def grams(amount: float | None) -> str:
    if amount is None or not math.isfinite(amount):
        return "—"
    return f"{amount:.3g} g" if abs(amount) < 1000 else f"{amount / 1000:.3g} kg"


def macs(value: float | None) -> str:
    """MAC counts the way papers write them: 1.2 G, 340 M, 12 k."""
    if value is None or not math.isfinite(value):
        return "—"
    for scale, unit in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{int(value):,}"


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
    formatters: dict[str, Callable[[float | None], str]] = {
        "fraction": percent,
        "s": duration,
        "bytes": size,
        "count": count,
        "macs": macs,
        "J": energy,
        "usd": dollars,
        "gco2e": grams,
        "1/s": lambda v: "—" if v is None else f"{v:,.0f}/s",
    }
    return formatters.get(unit, number)(amount)
