"""A seeded simulation of the gate's latency measurement: the real sampler
(`measure_interleaved`, its budget sizing and stop rule) and the real verdict
(`evaluate_target` at the default thresholds), driven by a fake clock and simulated calls
with known noise and a known shift. Nothing here is timed: the clock is the edge faked.

The noise model follows what was measured on the 2-core VMs (docs/latency.md):
- every session gets its own memory-layout factor (sd ~1.5%; segments exist for this);
- machine load drifts slowly and touches base and head alike (a shared AR(1) factor);
- each call has its own jitter (lognormal, sd 3%) and, rarely, a preemption (x1.5..x3).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from mlgate.bench.latency import LatencySettings, measure_interleaved
from mlgate.compare.compare import evaluate_target, latency_stop_rule
from mlgate.compare.metrics import default_thresholds
from mlgate.compare.stats import min_samples_for
from mlgate.compare.thresholds import parse_threshold
from mlgate.results.measurements import Measured

LATENCY_METRICS = ("latency.p50", "latency.p90")


@dataclass(frozen=True)
class Machine:
    """How noisy the simulated runner is."""

    layout_sd: float = 0.015
    call_sd: float = 0.03
    drift_sd: float = 0.01
    preempt_rate: float = 0.01
    open_seconds_per_call: float = 2.0  # session creation, in units of one call


class _Simulation:
    def __init__(self, call_seconds: float, shift: float, machine: Machine, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.now = 0
        self.call = call_seconds
        self.shift = shift
        self.machine = machine
        self.load = 0.0

    def clock(self) -> int:
        return self.now

    def _advance(self, seconds: float) -> None:
        self.now += max(1, int(seconds * 1e9))

    def _runner(self, scale: float):  # type: ignore[no-untyped-def]
        m = self.machine

        def run() -> None:
            self.load = 0.98 * self.load + self.rng.normal(0.0, m.drift_sd)
            jitter = self.rng.normal(0.0, m.call_sd)
            preempt = self.rng.uniform(1.5, 3.0) if self.rng.random() < m.preempt_rate else 1.0
            self._advance(scale * np.exp(self.load + jitter) * preempt)

        return run

    def make(self, _segment: int):  # type: ignore[no-untyped-def]
        m = self.machine
        self._advance(2 * m.open_seconds_per_call * self.call)
        base = self.call * np.exp(self.rng.normal(0.0, m.layout_sd))
        head = self.call * (1.0 + self.shift) * np.exp(self.rng.normal(0.0, m.layout_sd))
        return self._runner(base), self._runner(head)


def default_settings() -> LatencySettings:
    """The gate's defaults (config.LatencyConfig) with the pairs its thresholds need."""
    return LatencySettings(
        budget_seconds=30.0,
        max_budget_seconds=90.0,
        min_pairs=min_samples_for(0.9),
        min_blocks=2,
    )


def simulate(
    call_seconds: float, shift: float, seed: int, machine: Machine = Machine()
) -> tuple[str, float]:
    """One comparison: the latency verdict (fail if any latency metric fails, else
    inconclusive if any is undecided, else pass/improved) and the simulated seconds."""
    thresholds = {
        name: parse_threshold(text)
        for name, text in default_thresholds().items()
        if name in LATENCY_METRICS
    }
    simulation = _Simulation(call_seconds, shift, machine, seed)
    samples = measure_interleaved(
        simulation.make,
        default_settings(),
        latency_stop_rule(thresholds, 0.95),
        simulation.clock,
    )
    measured = Measured(
        size=(1, 1),
        params=(1, 1),
        latency_base=samples.base,
        latency_head=samples.head,
        latency_segment=samples.segment,
        latency_seconds_per_segment=samples.plan.seconds_per_segment if samples.plan else None,
    )
    result = evaluate_target("sim", ["CPU"], 1, measured, thresholds)
    verdicts = {m.verdict for m in result.metrics if m.name in LATENCY_METRICS}
    for verdict in ("fail", "inconclusive", "improved"):
        if verdict in verdicts:
            return verdict, samples.seconds
    return "pass", samples.seconds


def rates(call_seconds: float, shift: float, trials: int, seed: int = 0) -> Counter[str]:
    """Verdict counts over `trials` seeded comparisons."""
    return Counter(simulate(call_seconds, shift, seed + i)[0] for i in range(trials))
