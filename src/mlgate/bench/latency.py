"""Interleaved A/B latency in segments. Each segment opens fresh base and head sessions (the
factory alternates which is created first), warms them up, and alternates them in ABBA
blocks. Segments continue until the caller's rule says the answer is clear or the budget is
spent.

Why segments: two sessions of the *same* model differ by several percent depending on where
their buffers land in memory. Measured on a 2-core VM next to one busy core, A/A with one
session pair per comparison: estimates from -7.7% to +7.1% (sd 3.7%), intervals covering 0 in
3 of 12; with segments: sd 0.8%, covering 0 in 11 of 12. Re-creating the sessions randomises
the layout so that it averages out, and the statistics treat the segment as the unit. The
creation order alternates because the session created second ran ~2% faster when it did not.

The timed loop does as little as possible: pre-bound calls, one clock read between runs,
list appends; all statistics happen between segments."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Runner = Callable[[], Any]
# Given a segment index, fresh (base, head) runners: new sessions, so a new memory layout.
RunnerFactory = Callable[[int], tuple[Runner, Runner]]
# Given paired samples (seconds) and their segment ids, True when sampling may stop.
StopRule = Callable[[np.ndarray, np.ndarray, np.ndarray], bool]
Clock = Callable[[], int]  # nanoseconds

MIN_WARMUP_RUNS = 3


@dataclass(frozen=True)
class LatencySettings:
    budget_seconds: float = 30.0
    min_seconds: float = 1.0
    warmup_seconds: float = 0.5  # first segment; later segments warm up for a tenth of theirs
    max_pairs: int = 200_000
    segment_seconds: float = 0.25
    min_segments: int = 8  # measured: 6 left a +2% change failing a 5% gate too often


@dataclass(frozen=True)
class PairedSamples:
    """Seconds per run. `base[i]` and `head[i]` ran back to back, in segment `segment[i]`.
    `aa_first[j]` / `aa_second[j]` are the two base runs of ABBA block j (same session)."""

    base: np.ndarray
    head: np.ndarray
    segment: np.ndarray
    aa_first: np.ndarray
    aa_second: np.ndarray
    warmup_runs: int
    seconds: float
    stop_reason: str  # precise | budget | max_pairs

    @property
    def segments(self) -> int:
        return int(self.segment.max()) + 1 if self.segment.size else 0


def warm_up(run_base: Runner, run_head: Runner, seconds: float, clock: Clock) -> int:
    """Alternate both until `seconds` passed and each ran at least MIN_WARMUP_RUNS times."""
    runs = 0
    end = clock() + int(seconds * 1e9)
    while runs < MIN_WARMUP_RUNS or clock() < end:
        run_base()
        run_head()
        runs += 1
    return runs


class _Recorder:
    """Append-only storage of one run's samples, in integer nanoseconds."""

    def __init__(self) -> None:
        self.first_a: list[int] = []
        self.first_b: list[int] = []
        self.last_b: list[int] = []
        self.last_a: list[int] = []
        self.block_segment: list[int] = []

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """ABBA block -> pairs (A1, B1) and (A2, B2): each A with its adjacent B."""
        base = np.concatenate([self.first_a, self.last_a]) / 1e9
        head = np.concatenate([self.first_b, self.last_b]) / 1e9
        segment = np.concatenate([self.block_segment, self.block_segment]).astype(np.int64)
        return base, head, segment


def _segment(
    run_base: Runner,
    run_head: Runner,
    end: int,
    max_blocks: int,
    rec: _Recorder,
    index: int,
    clock: Clock,
) -> int:
    """ABBA blocks until `end`, or until `max_blocks` are recorded in all (at least one
    block); returns the clock at the last read."""
    blocks = len(rec.block_segment)
    while True:
        t0 = clock()
        run_base()
        t1 = clock()
        run_head()
        t2 = clock()
        run_head()
        t3 = clock()
        run_base()
        t4 = clock()
        rec.first_a.append(t1 - t0)
        rec.first_b.append(t2 - t1)
        rec.last_b.append(t3 - t2)
        rec.last_a.append(t4 - t3)
        rec.block_segment.append(index)
        blocks += 1
        if t4 >= end or blocks >= max_blocks:
            return t4


def measure_interleaved(
    make_runners: RunnerFactory,
    settings: LatencySettings,
    stop_rule: StopRule,
    clock: Clock = time.perf_counter_ns,
) -> PairedSamples:
    rec = _Recorder()
    warmup_runs = 0
    start = clock()
    deadline = start + int(settings.budget_seconds * 1e9)
    earliest_stop = start + int(settings.min_seconds * 1e9)
    stop_reason = "budget"
    max_blocks = max(1, settings.max_pairs // 2)
    index = 0
    while True:
        opened = clock()
        run_base, run_head = make_runners(index)
        creation = clock() - opened
        warm = settings.warmup_seconds if index == 0 else settings.segment_seconds / 10
        warmup_runs += warm_up(run_base, run_head, warm, clock)
        # Measure at least as long as opening took, so re-creation never dominates the time.
        length = max(int(settings.segment_seconds * 1e9), creation)
        end = min(clock() + length, deadline)
        now = _segment(run_base, run_head, end, max_blocks, rec, index, clock)
        del run_base, run_head  # release this segment's sessions before opening the next
        index += 1
        if len(rec.block_segment) >= max_blocks:
            stop_reason = "max_pairs"
            break
        if now >= deadline:
            break
        if now >= earliest_stop and index >= settings.min_segments:
            base, head, segment = rec.arrays()
            if stop_rule(base, head, segment):
                stop_reason = "precise"
                break
    base, head, segment = rec.arrays()
    return PairedSamples(
        base=base,
        head=head,
        segment=segment,
        aa_first=np.asarray(rec.first_a) / 1e9,
        aa_second=np.asarray(rec.last_a) / 1e9,
        warmup_runs=warmup_runs,
        seconds=(clock() - start) / 1e9,
        stop_reason=stop_reason,
    )
