"""The optimizer's interleaved A/B of a variant against the original, sized to what one
session and one run of the model cost.

A fixed few seconds is not an A/B on a slow model: all-MiniLM-L6 on 32 sentences × 128
tokens takes 1.1 s per run on one thread, so a 6 s A/B recorded 2 timings per side, and 12
of 20 A/A runs (the model against a copy of itself) gave an interval without 1 (see
docs/optimizer-sweep.md). So the time of an A/B is the larger of what the settings ask for
and what enough segments of fresh session pairs need, and a verdict is drawn only from
enough segments: with fewer, the result says it is undecided."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mlgate.bench.latency import MIN_WARMUP_RUNS, LatencySettings, measure_interleaved
from mlgate.bench.runtimes.base import Runner
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


Opener = Callable[[], Runner]  # a fresh runner (session, compiled model) each call


def ab_test(
    original: Path, variant: Path | Opener, target: Target, display: str,
    feeds: dict[str, np.ndarray], seconds: float, blocks: int, confidence: float,
    cost: RunCost,
) -> ABResult:  # fmt: skip
    """The original under the reference runtime against `variant`: an ONNX file, opened
    the same way, or an opener of any runtime's runner (bench/runtimes)."""

    def reference() -> Runner:
        return open_session(original, target, display)

    other = variant if callable(variant) else functools.partial(open_session, variant, target,
                                                                 display)  # fmt: skip
    return ab_runners(reference, other, feeds, seconds, blocks, confidence, cost)


def ab_runners(
    open_a: Opener, open_b: Opener, feeds: dict[str, np.ndarray], seconds: float,
    blocks: int, confidence: float, cost: RunCost,
) -> ABResult:  # fmt: skip
    """Interleaved A/B of any two runners in one process for `seconds`, in segments of
    fresh pairs (of at least `blocks` ABBA blocks each); as many segments as the time
    holds. The ratio is B's median latency over A's."""

    def make(segment: int) -> tuple[Callable[[], Any], Callable[[], Any]]:
        pair = [(open_a, "a"), (open_b, "b")]
        order = pair if segment % 2 == 0 else pair[::-1]
        opened = {label: opener().runner(feeds) for opener, label in order}
        return opened["a"], opened["b"]

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
