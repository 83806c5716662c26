"""Interleaved A/B latency: base and head alternate in ABBA blocks in one process, after a
shared warm-up, until the caller's rule says the answer is clear or the budget is spent.

The loop does as little as possible: pre-bound calls, one clock read between runs, appends
to lists; all statistics happen at checkpoints, outside the timed calls."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Runner = Callable[[], Any]
# Given the paired samples so far (seconds), True when sampling may stop.
StopRule = Callable[[np.ndarray, np.ndarray], bool]
Clock = Callable[[], int]  # nanoseconds

MIN_WARMUP_RUNS = 3
FIRST_CHECK_PAIRS = 64
CHECK_GROWTH = 1.5


@dataclass(frozen=True)
class LatencySettings:
    budget_seconds: float = 30.0
    min_seconds: float = 1.0
    warmup_seconds: float = 0.5
    max_pairs: int = 200_000


@dataclass(frozen=True)
class PairedSamples:
    """Seconds per run. `base[i]` and `head[i]` ran back to back. `aa_first[j]` and
    `aa_second[j]` are the two base runs of ABBA block j: an A/A comparison for free."""

    base: np.ndarray
    head: np.ndarray
    aa_first: np.ndarray
    aa_second: np.ndarray
    warmup_runs: int
    seconds: float
    stop_reason: str  # precise | budget | max_pairs


def warm_up(run_base: Runner, run_head: Runner, seconds: float, clock: Clock) -> int:
    """Alternate both until `seconds` passed and each ran at least MIN_WARMUP_RUNS times."""
    runs = 0
    end = clock() + int(seconds * 1e9)
    while runs < MIN_WARMUP_RUNS or clock() < end:
        run_base()
        run_head()
        runs += 1
    return runs


def measure_interleaved(
    run_base: Runner,
    run_head: Runner,
    settings: LatencySettings,
    stop_rule: StopRule,
    clock: Clock = time.perf_counter_ns,
) -> PairedSamples:
    warmup_runs = warm_up(run_base, run_head, settings.warmup_seconds, clock)
    first_a: list[int] = []
    last_a: list[int] = []
    first_b: list[int] = []
    last_b: list[int] = []
    start = clock()
    deadline = start + int(settings.budget_seconds * 1e9)
    earliest_stop = start + int(settings.min_seconds * 1e9)
    next_check = FIRST_CHECK_PAIRS
    max_blocks = max(1, settings.max_pairs // 2)
    stop_reason = "max_pairs"
    for block in range(1, max_blocks + 1):
        t0 = clock()
        run_base()
        t1 = clock()
        run_head()
        t2 = clock()
        run_head()
        t3 = clock()
        run_base()
        t4 = clock()
        first_a.append(t1 - t0)
        first_b.append(t2 - t1)
        last_b.append(t3 - t2)
        last_a.append(t4 - t3)
        if t4 >= deadline:
            stop_reason = "budget"
            break
        pairs = 2 * block
        if pairs >= next_check and t4 >= earliest_stop:
            next_check = int(pairs * CHECK_GROWTH)
            base, head = _pairs(first_a, last_a, first_b, last_b)
            if stop_rule(base, head):
                stop_reason = "precise"
                break
    base, head = _pairs(first_a, last_a, first_b, last_b)
    return PairedSamples(
        base=base,
        head=head,
        aa_first=np.asarray(first_a) / 1e9,
        aa_second=np.asarray(last_a) / 1e9,
        warmup_runs=warmup_runs,
        seconds=(clock() - start) / 1e9,
        stop_reason=stop_reason,
    )


def _pairs(
    first_a: list[int], last_a: list[int], first_b: list[int], last_b: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """ABBA block -> pairs (A1, B1) and (A2, B2): each A is paired with its adjacent B."""
    base = np.concatenate([np.asarray(first_a), np.asarray(last_a)]) / 1e9
    head = np.concatenate([np.asarray(first_b), np.asarray(last_b)]) / 1e9
    return base, head
