"""The false-alarm rate and the power of the latency verdict, pinned by a seeded
simulation of the real sampler and rules (fake clock, known noise, known shifts)."""

import pytest

from tests.compare.latency_simulation import rates, simulate

TRIALS = 100
FAST, SLOW = 0.002, 0.15  # seconds per call

# The rate tests repeat the simulation a hundred times over code the single run below (and the
# unit tests) already cover: measuring coverage there only adds a minute to `make test`.
repeated = pytest.mark.no_cover


@repeated
@pytest.mark.parametrize("call", [FAST, SLOW], ids=["fast-2ms", "slow-150ms"])
def test_a_a_never_fails_and_is_decided(call):
    found = rates(call, 0.0, TRIALS, seed=1000)
    assert found["fail"] <= TRIALS * 0.01, found
    assert found["pass"] >= TRIALS * 0.9, found


@repeated
@pytest.mark.parametrize("call", [FAST, SLOW], ids=["fast-2ms", "slow-150ms"])
def test_ten_percent_slower_is_caught(call):
    found = rates(call, 0.10, TRIALS, seed=2000)
    assert found["fail"] >= TRIALS * 0.95, found


def test_a_slow_model_four_times_slower_fails_within_the_cap():
    # the OCR case: 372 ms per call against 1.68 s, decided from a few calls
    verdict, seconds = simulate(0.372, 3.5, seed=7)
    assert verdict == "fail"
    assert seconds < 90


@repeated
def test_improvements_do_not_fail():
    found = rates(SLOW, -0.2, 20, seed=3000)
    assert found["fail"] == 0
    assert found["improved"] >= 19, found
