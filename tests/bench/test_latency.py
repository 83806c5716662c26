"""The timing loop, driven by a fake clock (the true edge): exact, no wall-clock asserts."""

import numpy as np

from mlgate.bench.latency import LatencySettings, measure_interleaved


class FakeMachine:
    """A clock that only moves when a model runs; base costs 1000 ns, head 1100 ns."""

    def __init__(self, base_ns=1000, head_ns=1100):
        self.now = 0
        self.order: list[str] = []
        self.base_ns, self.head_ns = base_ns, head_ns

    def clock(self) -> int:
        return self.now

    def run_base(self) -> None:
        self.order.append("A")
        self.now += self.base_ns

    def run_head(self) -> None:
        self.order.append("B")
        self.now += self.head_ns


def test_abba_order_and_exact_pairs():
    machine = FakeMachine()
    settings = LatencySettings(budget_seconds=1.0, min_seconds=0, warmup_seconds=0, max_pairs=64)
    samples = measure_interleaved(
        machine.run_base, machine.run_head, settings, lambda b, h: False, machine.clock
    )
    timed = machine.order[6:]  # after 3 warm-up rounds of A, B
    assert machine.order[:6] == list("ABABAB")
    assert "".join(timed[:8]) == "ABBAABBA"
    assert samples.base.size == samples.head.size == 64
    assert np.all(samples.base == 1e-6)
    assert np.all(samples.head == 1.1e-6)
    assert samples.stop_reason == "max_pairs"
    assert samples.aa_first.size == 32


def test_stops_when_the_rule_is_satisfied_at_a_checkpoint():
    machine = FakeMachine()
    calls = []

    def rule(base, head):
        calls.append(base.size)
        return base.size >= 100

    settings = LatencySettings(budget_seconds=10.0, min_seconds=0, warmup_seconds=0)
    samples = measure_interleaved(machine.run_base, machine.run_head, settings, rule, machine.clock)
    assert samples.stop_reason == "precise"
    assert calls[0] == 64  # first checkpoint
    assert calls == sorted(calls)
    assert len(calls) == 3
    assert samples.base.size == calls[-1]


def test_budget_stops_sampling():
    machine = FakeMachine(base_ns=1_000_000, head_ns=1_000_000)  # 1 ms each
    settings = LatencySettings(budget_seconds=0.02, min_seconds=0, warmup_seconds=0)
    samples = measure_interleaved(
        machine.run_base, machine.run_head, settings, lambda b, h: False, machine.clock
    )
    assert samples.stop_reason == "budget"
    assert samples.base.size == 10  # 5 blocks of 4 ms
    assert samples.seconds == 0.02


def test_min_seconds_delays_the_first_decision():
    machine = FakeMachine()
    settings = LatencySettings(budget_seconds=1.0, min_seconds=0.001, warmup_seconds=0)
    samples = measure_interleaved(
        machine.run_base, machine.run_head, settings, lambda b, h: True, machine.clock
    )
    assert samples.stop_reason == "precise"
    assert samples.seconds >= 0.001
