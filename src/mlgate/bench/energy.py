"""Measured energy per inference: base and head alternate in ABBA windows, each long enough
for the meter to resolve (RAPL updates about every millisecond, NVML every few tens), and
every window yields joules per inference. Windows are paired, so load that drifts over the run
hits both models alike; the spread over windows is the uncertainty.

What a package meter sees is the whole socket: idle power and other processes land in the
windows of both models alike, which is why only head vs base of one run are compared."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from mlgate.bench.energy_meters import Meter
from mlgate.bench.latency import Runner, RunnerFactory

ENERGY_SEGMENT = 10_000  # segment index for the energy sessions (distinct from latency's)


@dataclass(frozen=True)
class EnergySettings:
    window_seconds: float = 0.5
    windows: int = 8  # per model; ABBA order
    warmup_seconds: float = 0.2


@dataclass(frozen=True)
class EnergySamples:
    method: str
    detail: str
    base: np.ndarray  # joules per inference, one per window
    head: np.ndarray
    window_seconds: float


def _window(run: Runner, meter: Meter, seconds: float, clock: Callable[[], float]) -> float:
    """Run until `seconds` passed (at least 3 runs); joules per run."""
    runs = 0
    start_reading = meter.read()
    end = clock() + seconds
    while runs < 3 or clock() < end:
        run()
        runs += 1
    return meter.joules(start_reading, meter.read()) / runs


def measure_energy(
    factory: RunnerFactory,
    meter: Meter,
    settings: EnergySettings,
    clock: Callable[[], float] = time.perf_counter,
) -> EnergySamples:
    run_base, run_head = factory(ENERGY_SEGMENT)
    warm_end = clock() + settings.warmup_seconds
    while clock() < warm_end:
        run_base()
        run_head()
    base: list[float] = []
    head: list[float] = []
    for block in range(settings.windows):
        order = ((run_base, base), (run_head, head))
        if block % 2:
            order = order[::-1]
        for run, samples in order:
            samples.append(_window(run, meter, settings.window_seconds, clock))
    return EnergySamples(
        method=meter.method,
        detail=meter.detail,
        base=np.asarray(base, dtype=np.float64),
        head=np.asarray(head, dtype=np.float64),
        window_seconds=settings.window_seconds,
    )
