"""Several runners timed in turn in one process: the A/B timer's idea for more than two.

Used to right-size a deployment: the same model at 1, 2, … N threads, each arm a session of
its own. Like the A/B timer, sessions are re-created per segment (memory layout averages
out), the arms run in rounds whose order rotates (no arm always follows the same one), and
load that drifts over the run touches every arm alike. Nothing here judges: the samples and
their segment ids go to the statistics."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlgate.bench.latency import MIN_WARMUP_RUNS, Clock

Runner = Callable[[], Any]
# Given a segment index, one fresh runner per arm (the factory varies the opening order).
ArmFactory = Callable[[int], list[Runner]]


@dataclass(frozen=True)
class ArmSamples:
    """Per arm: call times in seconds, and the segment each was taken in."""

    times: list[np.ndarray]
    segments: list[np.ndarray]
    seconds: float

    @property
    def segment_count(self) -> int:
        return int(max((s.max() for s in self.segments if s.size), default=-1)) + 1


def rotation(arms: int, round_index: int) -> list[int]:
    """The order of one round: rotated by the round, reversed every other round."""
    order = [(round_index + k) % arms for k in range(arms)]
    return order[::-1] if (round_index // arms) % 2 else order


def measure_arms(
    make_runners: ArmFactory,
    seconds: float,
    segment_seconds: float,
    min_segments: int = 2,
    clock: Clock = time.perf_counter_ns,
) -> ArmSamples:
    """Rounds of every arm until `seconds` have passed and `min_segments` segments are in
    (at least one round per segment)."""
    start = clock()
    deadline = start + int(seconds * 1e9)
    times: list[list[int]] = []
    segments: list[list[int]] = []
    index = 0
    round_index = 0
    while True:
        runners = make_runners(index)
        if not times:
            times = [[] for _ in runners]
            segments = [[] for _ in runners]
        for _ in range(MIN_WARMUP_RUNS if index == 0 else 1):
            for run in runners:
                run()
        end = clock() + int(segment_seconds * 1e9)
        while True:
            for arm in rotation(len(runners), round_index):
                t0 = clock()
                runners[arm]()
                times[arm].append(clock() - t0)
                segments[arm].append(index)
            round_index += 1
            now = clock()
            if now >= end or now >= deadline:
                break
        del runners
        index += 1
        if now >= deadline and index >= min_segments:
            break
    return ArmSamples(
        times=[np.asarray(t, dtype=np.float64) / 1e9 for t in times],
        segments=[np.asarray(s, dtype=np.int64) for s in segments],
        seconds=(clock() - start) / 1e9,
    )
