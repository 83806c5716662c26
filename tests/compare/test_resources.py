"""Resource observations: memory (or why it is missing), the static MAC and energy proxy,
measured energy per window, and dollars and grams CO2e per million inferences."""

from __future__ import annotations

import numpy as np
import pytest

from mlgate.compare.resources import (
    MIN_ENERGY_WINDOWS,
    cost_observations,
    energy_observation,
    memory_observations,
    static_observations,
)
from mlgate.results.measurements import Measured, MeasuredEnergy, Memory, Pricing, StaticCost

SIZES = {"size": (100, 100), "params": (10, 10)}


def test_memory_of_both_sides_is_peak_session_and_inference():
    measured = Measured(**SIZES, memory=(Memory(10, 30, 5), Memory(12, 33, 6)))
    found = memory_observations(measured)
    assert [(o.spec.name, o.base, o.head) for o in found] == [
        ("memory.peak", 30, 33),
        ("memory.session", 10, 12),
        ("memory.inference", 5, 6),
    ]
    assert memory_observations(Measured(**SIZES)) == []


def test_memory_missing_on_one_side_is_one_note_with_the_reason():
    measured = Measured(**SIZES, memory=(Memory(10, 30), "the child process was killed"))
    (found,) = memory_observations(measured)
    assert found.spec.name == "memory.peak"
    assert found.base is None
    assert found.note == "the child process was killed"


def test_static_costs_are_gated_unless_an_op_could_not_be_counted():
    counted = StaticCost((100, 200), (1e-3, 2e-3), "horowitz45-v1")
    macs, proxy = static_observations(Measured(**SIZES, static=counted))
    assert (macs.base, macs.head, macs.not_gated) == (100, 200, "")
    assert proxy.source == "proxy: horowitz45-v1"
    assert proxy.method == "static"
    partial = StaticCost((100, 200), (1e-3, 2e-3), "horowitz45-v1", uncounted=(0, 3))
    for found in static_observations(Measured(**SIZES, static=partial)):
        assert "base/head: 0/3" in found.not_gated


def _energy(method: str, base: list[float], head: list[float]) -> MeasuredEnergy:
    return MeasuredEnergy(method, "package-0", np.array(base), np.array(head))


def test_measured_energy_is_a_paired_ratio_decided_once_there_are_enough_windows():
    windows = MIN_ENERGY_WINDOWS + 2
    base = [1.0 + 0.01 * i for i in range(windows)]
    head = [2.0 + 0.015 * i for i in range(windows)]
    (found,) = energy_observation(Measured(**SIZES, energy=_energy("rapl", base, head)), 0.95)
    assert found.estimate is not None
    assert found.estimate.ratio == pytest.approx(2.0, rel=0.02)
    assert found.undecided == ""
    assert found.not_gated == ""
    assert found.source == "rapl: package-0"


def test_too_few_energy_windows_are_undecided_and_cpu_time_energy_is_not_gated():
    found = energy_observation(
        Measured(**SIZES, energy=_energy("estimated", [1, 1.1], [2, 2.1])), 0.95
    )
    (one,) = found
    assert one.undecided == f"only 2 windows (need {MIN_ENERGY_WINDOWS})"
    assert "the same signal as latency" in one.not_gated


def test_a_meter_that_did_not_advance_is_undecided_with_the_means_shown():
    measured = Measured(**SIZES, energy=_energy("rapl", [1.0, 0.0, 1.0], [2.0, 2.0, 2.0]))
    (found,) = energy_observation(measured, 0.95)
    assert found.estimate is None
    assert found.undecided == "the meter did not advance in every window"
    assert found.base == pytest.approx(2 / 3)
    assert found.head == pytest.approx(2.0)


def test_cost_and_carbon_per_million_inferences():
    measured = Measured(
        **SIZES,
        latency_base=np.array([0.001, 0.002, 0.003]),
        latency_head=np.array([0.002, 0.004, 0.006]),
        energy=_energy("rapl", [1.0, 1.0], [3.0, 3.0]),
        pricing=Pricing(price_per_hour=3.6, carbon_intensity=360.0),
    )
    cost, carbon = cost_observations(measured)
    assert cost.spec.name == "cost"
    assert cost.base == pytest.approx(0.002 * 1e3)  # 3.6 $/h = 1e-3 $/s, × 1e6 runs
    assert cost.head == pytest.approx(0.004 * 1e3)
    assert carbon.spec.name == "carbon"
    assert carbon.base == pytest.approx(100.0)  # 1 J × 1e6 = 1e6 J = 0.2778 kWh × 360 g
    assert carbon.head == pytest.approx(300.0)
    assert "rapl energy" in carbon.source


def test_carbon_falls_back_to_the_static_proxy_and_nothing_without_pricing():
    measured = Measured(
        **SIZES,
        static=StaticCost((1, 1), (2.0, 4.0), "horowitz45-v1"),
        pricing=Pricing(carbon_intensity=360.0),
    )
    (carbon,) = cost_observations(measured)
    assert (carbon.base, carbon.head) == (pytest.approx(200.0), pytest.approx(400.0))
    assert "proxy energy (a lower bound)" in carbon.source
    assert cost_observations(Measured(**SIZES, static=measured.static)) == []
