"""The optimizer's interleaved A/B of a variant against the original, sized to what one
session and one run of the model cost.

A fixed few seconds is not an A/B on a slow model: all-MiniLM-L6 on 32 sentences × 128
tokens takes 1.1 s per run on one thread, so a 6 s A/B recorded 2 timings per side, and 12
of 20 A/A runs (the model against a copy of itself) gave an interval without 1 (see
docs/optimizer-sweep.md). So the time of an A/B is the larger of what the settings ask for
and what enough segments of fresh session pairs need, and a verdict is drawn only from
enough segments: with fewer, the result says it is undecided."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlgate.bench.latency import MIN_WARMUP_RUNS, LatencySettings, measure_interleaved
from mlgate.bench.session import Target, open_session
from mlgate.compare.stats import clustered_ratios

DECIDING_SEGMENTS = 4  # as many as the latency gate needs before it gates
SCREEN_SEGMENTS = 2  # the fewest a between-session interval can come from
RUNS_PER_BLOCK = 4  # ABBA


@dataclass(frozen=True)
class RunCost:
    """What one fresh session and one warm run of the timing inputs take, in seconds."""

    open_seconds: float
    run_seconds: float

    @classmethod
    def measure(
        cls, path: Path, target: Target, display: str, feeds: dict[str, np.ndarray]
    ) -> RunCost:
        started = time.perf_counter()
        run = open_session(path, target, display).runner(feeds)
        opened = time.perf_counter() - started
        run()  # the first run pays for allocations
        started = time.perf_counter()
        run()
        return cls(opened, time.perf_counter() - started)

    def segment_seconds(self, blocks: int) -> float:
        """Measuring time for `blocks` ABBA blocks."""
        return blocks * RUNS_PER_BLOCK * self.run_seconds

    def seconds_for(self, segments: int, blocks: int) -> float:
        """Wall time of `segments` segments of `blocks` blocks each: opening both sessions,
        their warm-up runs, then the blocks (never shorter than the opening), plus 20%."""
        warm_up = 2 * MIN_WARMUP_RUNS * self.run_seconds
        measuring = max(self.segment_seconds(blocks), 2 * self.open_seconds)
        return 1.2 * segments * (2 * self.open_seconds + warm_up + measuring)


@dataclass(frozen=True)
class ABResult:
    """Median latency of the variant over the original's, with its interval."""

    ratio: float
    low: float
    high: float
    segments: int
    pairs: int

    @property
    def speedup(self) -> float:
        return 1.0 / self.ratio

    @property
    def speedup_interval(self) -> tuple[float, float]:
        return 1.0 / self.high, 1.0 / self.low


def ab_test(
    original: Path, variant: Path, target: Target, display: str,
    feeds: dict[str, np.ndarray], seconds: float, blocks: int, confidence: float,
    cost: RunCost,
) -> ABResult:  # fmt: skip
    """Interleaved A/B for `seconds`, in segments of fresh session pairs of at least
    `blocks` ABBA blocks each; as many segments as the time holds."""

    def make(segment: int):  # type: ignore[no-untyped-def]
        pair = [(original, "original"), (variant, "variant")]
        order = pair if segment % 2 == 0 else pair[::-1]
        opened = {label: open_session(path, target, display).runner(feeds) for path, label
                  in order}  # fmt: skip
        return opened["original"], opened["variant"]

    segment = max(cost.segment_seconds(blocks), seconds / 8, 0.05)
    settings = LatencySettings(
        budget_seconds=seconds,
        min_seconds=seconds,
        warmup_seconds=min(0.5, seconds / 6),
        segment_seconds=segment,
        min_segments=1,
    )
    samples = measure_interleaved(make, settings, lambda *_: False)
    (estimate,) = clustered_ratios(
        samples.base, samples.head, samples.segment, (0.5,), confidence, n_resamples=500
    )
    return ABResult(
        ratio=estimate.ratio,
        low=estimate.low,
        high=estimate.high,
        segments=int(np.unique(samples.segment).size),
        pairs=int(samples.base.size),
    )
