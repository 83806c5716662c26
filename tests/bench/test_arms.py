"""Several runners timed in turn in one process: every arm per round in a rotating order,
fresh runners per segment. Checked on a fake clock (the edge faked)."""

from __future__ import annotations

import numpy as np

from mlgate.bench.arms import ArmSamples, measure_arms, rotation
from mlgate.bench.latency import MIN_WARMUP_RUNS


class FakeClock:
    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        return self.now

    def runner(self, nanoseconds: int, log: list[int], arm: int):  # type: ignore[no-untyped-def]
        def run() -> None:
            self.now += nanoseconds
            log.append(arm)

        return run


def test_every_arm_runs_in_turn_with_a_rotating_order_and_fresh_runners_per_segment():
    clock, log, opened = FakeClock(), [], []
    costs = [3_000_000, 2_000_000, 1_000_000]  # 3, 2 and 1 ms per call

    def make(segment: int):  # type: ignore[no-untyped-def]
        opened.append(segment)
        return [clock.runner(c, log, arm) for arm, c in enumerate(costs)]

    samples = measure_arms(make, seconds=0.5, segment_seconds=0.1, min_segments=3, clock=clock)
    assert opened == list(range(len(opened)))
    assert len(opened) >= 3
    for arm, cost in enumerate(costs):
        assert np.all(samples.times[arm] == cost / 1e9)  # each call timed alone
    assert len({t.size for t in samples.times}) == 1  # whole rounds only
    assert samples.segment_count == len(opened)
    # every arm goes first equally often over a full cycle of rounds
    firsts = [rotation(3, r)[0] for r in range(6)]
    assert sorted(firsts) == [0, 0, 1, 1, 2, 2]
    assert rotation(3, 3) == rotation(3, 0)[::-1]


def test_the_first_segment_warms_every_arm_up_before_timing():
    clock, log = FakeClock(), []

    def make(segment: int):  # type: ignore[no-untyped-def]
        return [clock.runner(1_000_000, log, arm) for arm in range(2)]

    samples = measure_arms(make, seconds=0.0, segment_seconds=0.0, min_segments=1, clock=clock)
    timed = int(samples.times[0].size + samples.times[1].size)
    assert len(log) - timed == MIN_WARMUP_RUNS * 2
    assert log[: MIN_WARMUP_RUNS * 2] == [0, 1] * MIN_WARMUP_RUNS
    assert samples.segment_count == 1


def test_no_samples_count_no_segments():
    empty = ArmSamples(times=[np.array([])], segments=[np.array([], dtype=np.int64)], seconds=0.0)
    assert empty.segment_count == 0
