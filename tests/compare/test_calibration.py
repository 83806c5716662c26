import pytest

from mlgate.compare.calibration import AATrial, summarize, would_fail
from mlgate.compare.stats import RatioEstimate


def trial(p50_change: float, half: float = 0.01) -> AATrial:
    ratio = 1 + p50_change
    estimate = RatioEstimate(0.5, 1.0, ratio, ratio, ratio - half, ratio + half, 0.95, 500)
    return AATrial(estimates={"latency.p50": estimate}, cv=0.05, pairs=500, seconds=2.0)


def test_quiet_machine_gets_the_floor_of_detectability():
    calibration = summarize([trial(0.0, 0.002) for _ in range(10)], false_alarm_rate=0.01)
    (p50,) = calibration.quantiles
    assert p50.spread == 0.0
    assert p50.false_alarms_at == {"+2%": 0, "+5%": 0, "+10%": 0}
    # sigma = 0.002 / 1.96; z(0.99) * sigma = 0.0024 -> at least the detectable change (0.29%)
    assert p50.suggested == pytest.approx(0.005)
    assert calibration.suggested_thresholds() == {"latency.p50": "+0.5%"}


def test_noisy_machine_gets_a_wider_threshold():
    changes = [-0.03, -0.02, -0.01, 0.0, 0.0, 0.01, 0.02, 0.03, 0.015, -0.015]
    calibration = summarize([trial(c) for c in changes], false_alarm_rate=0.01)
    (p50,) = calibration.quantiles
    assert 0.01 < p50.spread < 0.03
    expected = 2.326 * p50.spread
    assert p50.suggested >= expected
    assert p50.suggested - expected < 0.005 + 1e-9  # rounded up to half a percent
    assert p50.false_alarms_at["+2%"] == 1  # only +3%: +2% itself is not past +2%


def test_would_fail_mirrors_the_gate():
    assert would_fail(trial(0.06, 0.01).estimates["latency.p50"], 0.05)
    assert not would_fail(trial(0.04, 0.01).estimates["latency.p50"], 0.05)
    assert not would_fail(trial(0.06, 0.07).estimates["latency.p50"], 0.05)  # interval has 1


def test_needs_trials():
    with pytest.raises(ValueError, match="at least one"):
        summarize([])
