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

from mlgate.results.measurements import DECISIVE

Runner = Callable[[], Any]
# Given a segment index, fresh (base, head) runners: new sessions, so a new memory layout.
RunnerFactory = Callable[[int], tuple[Runner, Runner]]
# Given paired samples (seconds) and their segment ids: 0 (or False) to go on, 1 (True)
# when decided (sampling stops once `min_segments` are in), DECISIVE when the interval lies
# wholly beyond the threshold (stops from MIN_SEGMENTS_FLOOR segments on).
StopRule = Callable[[np.ndarray, np.ndarray, np.ndarray], int]
Clock = Callable[[], int]  # nanoseconds

MIN_WARMUP_RUNS = 3


MIN_SEGMENTS_FLOOR = 3  # an interval needs at least this many independent segments


@dataclass(frozen=True)
class LatencySettings:
    budget_seconds: float = 30.0
    min_seconds: float = 1.0
    warmup_seconds: float = 0.5  # first segment; later segments warm up for a tenth of theirs
    max_pairs: int = 200_000
    segment_seconds: float = 0.25
    min_segments: int = 8  # measured: 6 left a +2% change failing a 5% gate too often
    # Sizing from the model's cost: after the first segment the budget may be raised up to
    # `max_budget_seconds` so that `min_segments` segments and `min_pairs` pairs fit, and a
    # run still undecided at its budget goes on up to that cap, stopping once decided (None:
    # the budget is fixed). A slow model that cannot fit them gets fewer segments, down to
    # MIN_SEGMENTS_FLOOR.
    max_budget_seconds: float | None = None
    min_pairs: int = 0
    min_blocks: int = 1  # ABBA blocks per segment, at least


@dataclass(frozen=True)
class SamplingPlan:
    """What the first segment showed the run would cost, and the budget chosen from it."""

    seconds_per_call: float  # mean of one base and one head call
    seconds_per_segment: float  # later segments: opening, warm-up and measuring
    budget_seconds: float
    min_segments: int

    def describe(self, configured: float) -> str:
        raised = (
            f"budget raised from {configured:g} s to {self.budget_seconds:.0f} s for "
            if self.budget_seconds > configured + 0.5
            else ""
        )
        return (
            f"{raised}{self.seconds_per_call * 1e3:.3g} ms per call, "
            f"~{self.seconds_per_segment:.2g} s per session segment"
        )


def plan_sampling(
    settings: LatencySettings, elapsed: float, creation: float, block: float
) -> SamplingPlan:
    """Size the run from the first segment: each later segment opens sessions, warms each
    up once and measures `min_blocks` blocks (or `segment_seconds`); the budget grows, up
    to its cap, until `min_segments` segments and `min_pairs` pairs fit."""
    blocks = max(settings.min_blocks, -(-settings.min_pairs // (2 * max(settings.min_segments, 1))))
    measuring = max(settings.segment_seconds, creation, blocks * block)
    per_segment = creation + block / 2 + measuring
    needed = elapsed + (settings.min_segments - 1) * per_segment
    cap = settings.max_budget_seconds
    if cap is None:
        budget = settings.budget_seconds
    else:
        budget = min(max(settings.budget_seconds, 1.25 * needed), max(cap, settings.budget_seconds))
    fit = int((budget - elapsed) // per_segment) + 1 if per_segment > 0 else settings.min_segments
    segments = max(MIN_SEGMENTS_FLOOR, min(settings.min_segments, fit))
    return SamplingPlan(block / 4, per_segment, budget, segments)


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
    plan: SamplingPlan | None = None

    @property
    def segments(self) -> int:
        return int(self.segment.max()) + 1 if self.segment.size else 0


def warm_up(
    run_base: Runner,
    run_head: Runner,
    seconds: float,
    clock: Clock,
    min_runs: int = MIN_WARMUP_RUNS,
) -> int:
    """Alternate both until `seconds` passed and each ran at least `min_runs` times."""
    runs = 0
    end = clock() + int(seconds * 1e9)
    while runs < min_runs or clock() < end:
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
    window: tuple[int, int],
    limits: tuple[int, int],
    rec: _Recorder,
    index: int,
    clock: Clock,
) -> int:
    """ABBA blocks until `end` once `min_blocks` are in this segment (or the `deadline`
    passed), or until `max_blocks` are recorded in all (at least one block); returns the
    clock at the last read."""
    end, deadline = window
    min_blocks, max_blocks = limits
    blocks = len(rec.block_segment)
    first = blocks
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
        done = t4 >= end and blocks - first >= min_blocks
        if done or t4 >= deadline or blocks >= max_blocks:
            return t4


def _measure_segment(
    make_runners: RunnerFactory,
    index: int,
    settings: LatencySettings,
    limits: tuple[int, int],  # deadline, max blocks
    rec: _Recorder,
    clock: Clock,
) -> tuple[int, int, int, int]:
    """One segment: fresh sessions, warm-up, then ABBA blocks into `rec`. Returns the
    warm-up runs, the ns opening took, when measuring began and when it ended. The
    sessions are released on return, before the next segment opens its own."""
    deadline, max_blocks = limits
    opened = clock()
    run_base, run_head = make_runners(index)
    creation = clock() - opened
    warm = settings.warmup_seconds if index == 0 else settings.segment_seconds / 10
    runs = warm_up(run_base, run_head, warm, clock, MIN_WARMUP_RUNS if index == 0 else 1)
    # Measure at least as long as opening took, so re-creation never dominates the time.
    length = max(int(settings.segment_seconds * 1e9), creation)
    measure_from = clock()
    end = min(measure_from + length, deadline)
    blocks = (settings.min_blocks, max_blocks)
    now = _segment(run_base, run_head, (end, deadline), blocks, rec, index, clock)
    return runs, creation, measure_from, now


def _decided(
    stop_rule: StopRule, rec: _Recorder, segments: int, now: int, stops: tuple[int, int, int]
) -> bool:
    """Whether the stop rule ends sampling now (`stops`: earliest stop, deadline, and the
    segments needed unless the evidence is decisive)."""
    earliest_stop, deadline, min_segments = stops
    if now < earliest_stop and now < deadline:
        return False
    level = int(stop_rule(*rec.arrays())) if segments >= MIN_SEGMENTS_FLOOR else 0
    enough = segments >= min_segments or now >= deadline
    return level >= DECISIVE or bool(level and enough)


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
    min_segments = settings.min_segments
    cap_deadline = start + int((settings.max_budget_seconds or 0.0) * 1e9)
    extended = False
    plan = None
    index = 0
    while True:
        blocks_before = len(rec.block_segment)
        limits = (deadline, max_blocks)
        runs, creation, measure_from, now = _measure_segment(
            make_runners, index, settings, limits, rec, clock
        )
        warmup_runs += runs
        if index == 0:
            block = (now - measure_from) / max(1, len(rec.block_segment) - blocks_before) / 1e9
            plan = plan_sampling(settings, (now - start) / 1e9, creation / 1e9, block)
            deadline = start + int(plan.budget_seconds * 1e9)
            min_segments = plan.min_segments
        index += 1
        if len(rec.block_segment) >= max_blocks:
            stop_reason = "max_pairs"
            break
        if _decided(stop_rule, rec, index, now, (earliest_stop, deadline, min_segments)):
            stop_reason = "precise"
            break
        if now >= deadline:
            if extended or cap_deadline <= deadline:
                break
            # Undecided at the budget: keep sampling up to the cap, stopping once decided.
            deadline, extended = cap_deadline, True
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
        plan=plan,
    )
