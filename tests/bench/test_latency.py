"""The timing loop, driven by a fake clock (the true edge): exact, no wall-clock asserts."""

import numpy as np

from mlgate.bench.latency import LatencySettings, measure_interleaved
from mlgate.results.measurements import DECISIVE


class FakeMachine:
    """A clock that only moves when a model runs or a session opens; base runs cost 1000 ns,
    head runs 1100 ns, opening a pair 50 µs."""

    def __init__(self, base_ns=1000, head_ns=1100, open_ns=50_000):
        self.now = 0
        self.order: list[str] = []
        self.opened: list[int] = []
        self.base_ns, self.head_ns, self.open_ns = base_ns, head_ns, open_ns

    def clock(self) -> int:
        return self.now

    def make(self, segment: int):
        self.opened.append(segment)
        self.order.append("|")
        self.now += self.open_ns
        return self.run_base, self.run_head

    def run_base(self) -> None:
        self.order.append("A")
        self.now += self.base_ns

    def run_head(self) -> None:
        self.order.append("B")
        self.now += self.head_ns


def settings(**overrides) -> LatencySettings:
    values = {
        "budget_seconds": 1.0,
        "min_seconds": 0,
        "warmup_seconds": 0,
        "segment_seconds": 0.001,
    }
    return LatencySettings(**{**values, **overrides})


def test_abba_order_exact_pairs_and_fresh_sessions_per_segment():
    machine = FakeMachine()
    samples = measure_interleaved(
        machine.make, settings(max_pairs=1000), lambda *_: False, machine.clock
    )
    sequence = "".join(machine.order)
    first_segment = sequence.split("|")[1]
    assert first_segment.startswith("ABABAB" + "ABBAABBA")  # 3 warm-up rounds, then ABBA
    assert samples.base.size == samples.head.size == 1000
    assert np.all(samples.base == 1e-6)
    assert np.all(samples.head == 1.1e-6)
    assert samples.stop_reason == "max_pairs"
    assert machine.opened == list(range(samples.segments))
    assert samples.segments > 1
    # every segment's pairs carry its id, in time order
    assert np.all(np.diff(samples.segment[: samples.segment.size // 2]) >= 0)


def test_segments_last_at_least_as_long_as_opening_took():
    machine = FakeMachine(open_ns=5_000_000)  # 5 ms to open, segments asked to be 1 ms
    samples = measure_interleaved(
        machine.make, settings(budget_seconds=0.05), lambda *_: False, machine.clock
    )
    per_segment = np.bincount(samples.segment)[:-1]  # the last one is cut by the budget
    assert per_segment.min() >= 2 * (5_000_000 // 4200)  # ~5 ms of 4.2 µs blocks, 2 pairs each


def test_a_decided_answer_stops_sampling_only_after_the_minimum_segments():
    machine = FakeMachine()
    asked = []

    def rule(base, head, segment):
        asked.append(int(segment.max()) + 1)
        return 1 if len(asked) >= 4 else 0

    samples = measure_interleaved(machine.make, settings(min_segments=8), rule, machine.clock)
    assert samples.stop_reason == "precise"
    assert asked[0] == 3  # asked from the third segment on: an interval needs three
    assert samples.segments == 8  # decided at 6, but the minimum is 8


def test_a_decisive_answer_stops_sampling_from_three_segments():
    machine = FakeMachine()
    asked = []

    def rule(base, head, segment):
        asked.append(int(segment.max()) + 1)
        return DECISIVE

    samples = measure_interleaved(machine.make, settings(min_segments=8), rule, machine.clock)
    assert samples.stop_reason == "precise"
    assert asked == [3]
    assert samples.segments == 3


def test_budget_stops_sampling():
    machine = FakeMachine(base_ns=1_000_000, head_ns=1_000_000, open_ns=0)  # 1 ms each
    samples = measure_interleaved(
        machine.make,
        settings(budget_seconds=0.02, segment_seconds=1.0),
        lambda *_: False,
        machine.clock,
    )
    assert samples.stop_reason == "budget"
    assert samples.seconds <= 0.02 + 0.004 + 1e-9  # ends with the block that crossed it


def test_min_seconds_delays_the_first_decision():
    machine = FakeMachine()
    samples = measure_interleaved(
        machine.make, settings(min_seconds=0.01, min_segments=1), lambda *_: True, machine.clock
    )
    assert samples.stop_reason == "precise"
    assert samples.seconds >= 0.01
