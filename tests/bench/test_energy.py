"""Measured energy per inference: base and head in ABBA windows read off a counting meter
(the hardware edge), each window yielding joules per inference. A stepped clock stands in
for time; nothing is timed."""

from __future__ import annotations

import numpy as np

from mlgate.bench.energy import ENERGY_SEGMENT, EnergySettings, measure_energy


class CountingMeter:
    """A meter whose counter advances by what the runners spend: base 2 J, head 3 J a run."""

    method = "rapl"
    detail = "fixture"

    def __init__(self) -> None:
        self.total = 0.0

    def read(self) -> tuple[float, ...]:
        return (self.total,)

    def joules(self, start, end) -> float:
        return end[0] - start[0]


def test_windows_alternate_abba_and_yield_joules_per_inference():
    meter, order = CountingMeter(), []
    now = [0.0]

    def clock() -> float:
        now[0] += 0.01
        return now[0]

    def runner(name: str, joules: float):
        def run() -> None:
            meter.total += joules
            order.append(name)

        return run

    samples = measure_energy(
        lambda _segment: (runner("base", 2.0), runner("head", 3.0)),
        meter,
        EnergySettings(window_seconds=0.05, windows=4, warmup_seconds=0.0),
        clock,
    )
    np.testing.assert_allclose(samples.base, [2.0] * 4)
    np.testing.assert_allclose(samples.head, [3.0] * 4)
    # Windows run base, head | head, base | base, head | head, base: adjacent windows of the
    # same model merge into one run of calls.
    runs = [name for i, name in enumerate(order) if i == 0 or order[i - 1] != name]
    assert runs == ["base", "head", "base", "head", "base"]


def test_every_window_runs_at_least_three_times_and_warms_up_first():
    meter, segments, order = CountingMeter(), [], []
    ticks = iter(np.arange(0.0, 1000.0, 1.0))  # one second a reading: windows end at once

    def factory(segment: int):  # type: ignore[no-untyped-def]
        segments.append(segment)

        def run(name: str, joules: float):  # type: ignore[no-untyped-def]
            def call() -> None:
                meter.total += joules
                order.append(name)

            return call

        return run("base", 1.0), run("head", 4.0)

    settings = EnergySettings(window_seconds=0.5, windows=2, warmup_seconds=1.5)
    samples = measure_energy(factory, meter, settings, lambda: float(next(ticks)))
    assert segments == [ENERGY_SEGMENT]
    assert order[:2] == ["base", "head"]  # the warm-up alternates the two
    warm = len(order) - 4 * 3
    assert warm == 2
    assert order[warm:] == ["base"] * 3 + ["head"] * 3 + ["head"] * 3 + ["base"] * 3
    np.testing.assert_allclose(samples.base, [1.0, 1.0])
    np.testing.assert_allclose(samples.head, [4.0, 4.0])
    assert (samples.method, samples.detail, samples.window_seconds) == ("rapl", "fixture", 0.5)
