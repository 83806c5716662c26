"""Human formatting of numbers, by unit."""

from __future__ import annotations

import math

import pytest

from mlgate.render import format as fmt

NAN, INF = math.nan, math.inf


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (0.034, "+3.4%"),
        (-0.12, "−12.0%"),
        (0.00001, "±0%"),
        (1.0, "×2"),
        (3.52, "×4.52"),
        (-0.69, "×0.31"),
        (None, "—"),
        (NAN, "—"),
    ],
)
def test_signed_percent(change, expected):
    assert fmt.signed_percent(change) == expected


@pytest.mark.parametrize(
    ("delta", "expected"),
    [(0.012, "+1.2 pt"), (-0.005, "−0.5 pt"), (0.00001, "±0 pt"), (None, "—"), (INF, "—")],
)
def test_signed_points(delta, expected):
    assert fmt.signed_points(delta) == expected


@pytest.mark.parametrize(
    ("unit", "amount", "expected"),
    [
        ("s", 2.5e-5, "25.0 µs"),
        ("s", 0.0123, "12.3 ms"),
        ("s", 2.0, "2 s"),
        ("bytes", 512, "512 B"),
        ("bytes", 2048, "2.0 KiB"),
        ("bytes", 3 * 1024**2, "3.0 MiB"),
        ("bytes", 5 * 1024**4, "5120.0 GiB"),
        ("J", 2.0, "2 J"),
        ("J", 3.2e-3, "3.2 mJ"),
        ("J", 4e-7, "400 nJ"),
        ("J", 5e-13, "0.5 pJ"),
        ("usd", 1.234, "$1.23"),
        ("usd", 12345.6, "$12,346"),
        ("gco2e", 12.5, "12.5 g"),
        ("gco2e", 2500, "2.5 kg"),
        ("macs", 1.2e9, "1.2 G"),
        ("macs", 3.4e12, "3.4 T"),
        ("macs", 999, "999"),
        ("count", 1234567, "1,234,567"),
        ("fraction", 0.9781, "97.81%"),
        ("1/s", 1234.4, "1,234/s"),
        ("1/s", None, "—"),
        ("score", 0.123456, "0.1235"),
        ("widgets", 2.0, "2"),
    ],
)
def test_value_by_unit(unit, amount, expected):
    assert fmt.value(unit, amount) == expected


@pytest.mark.parametrize("unit", ["s", "bytes", "J", "usd", "gco2e", "macs", "fraction", "score"])
def test_missing_or_infinite_values_are_a_dash(unit):
    assert fmt.value(unit, None) == "—"
    assert fmt.value(unit, NAN) == "—"


def test_count_of_nothing_is_a_dash():
    assert fmt.count(None) == "—"
