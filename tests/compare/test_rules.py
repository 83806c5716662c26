import pytest

from mlgate.compare.metrics import METRICS
from mlgate.compare.rules import Observation, judge
from mlgate.compare.stats import RatioEstimate
from mlgate.compare.thresholds import parse_threshold


def est(ratio, low, high, n=1000, quantile=0.5):
    return RatioEstimate(quantile, 1.0, ratio, ratio, low, high, 0.95, n)


def sampled(ratio, low, high, p=0.001, n=1000, not_gated=""):
    return Observation(
        METRICS["latency.p50"],
        1.0,
        ratio,
        estimate=est(ratio, low, high, n),
        p_value=p,
        not_gated=not_gated,
    )


FIVE = parse_threshold("+5%")


@pytest.mark.parametrize(
    ("ratio", "low", "high", "p", "verdict"),
    [
        (1.12, 1.10, 1.14, 0.001, "fail"),  # clear and above the threshold
        (1.06, 1.01, 1.11, 0.001, "fail"),  # point past threshold, interval excludes 1
        (1.06, 0.98, 1.14, 0.20, "inconclusive"),  # not statistically clear
        (1.04, 1.02, 1.06, 0.001, "inconclusive"),  # clear, but could be over or under 5%
        (1.03, 1.02, 1.04, 0.001, "pass"),  # a real slowdown, clearly under the threshold
        (1.00, 0.99, 1.01, 0.8, "pass"),
        (0.90, 0.88, 0.92, 0.001, "improved"),
        (0.97, 0.96, 0.98, 0.001, "pass"),  # faster, but by less than the threshold
    ],
)
def test_sampled_three_way_verdict(ratio, low, high, p, verdict):
    result = judge(sampled(ratio, low, high, p), FIVE)
    assert result.verdict == verdict
    assert result.ci == pytest.approx((low - 1, high - 1))
    if verdict == "inconclusive":
        assert "could detect changes ≥" in "; ".join(result.notes)
        assert result.min_detectable_change > 0


def test_too_few_samples_is_shown_not_gated():
    result = judge(sampled(1.5, 1.4, 1.6, n=30, not_gated="too few samples (30)"), FIVE)
    assert result.verdict == "skipped"
    assert "not gated" in "; ".join(result.notes)
    assert result.change == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("base", "head", "threshold", "verdict"),
    [
        (0.95, 0.94, "-0.5pp", "fail"),  # accuracy dropped 1 point
        (0.95, 0.946, "-0.5pp", "pass"),  # 0.4 points
        (0.95, 0.96, "-0.5pp", "improved"),
        (0.95, 0.94, "-2%", "pass"),  # relative: 1.05% drop
    ],
)
def test_accuracy_rules(base, head, threshold, verdict):
    obs = Observation(METRICS["accuracy"], base, head)
    assert judge(obs, parse_threshold(threshold)).verdict == verdict


def test_error_metric_direction_is_flipped():
    obs = Observation(METRICS["accuracy"], 10.0, 11.0, higher_is_better=False)
    result = judge(obs, parse_threshold("+5%"))
    assert (result.verdict, result.higher_is_better) == ("fail", False)


def test_size_and_memory_noise_floor():
    size = Observation(METRICS["size"], 1000, 1200)
    assert judge(size, parse_threshold("+10%")).verdict == "fail"
    mib = 1024 * 1024
    small = Observation(METRICS["memory.peak"], 4 * mib, 8 * mib)  # +100%, but 4 MiB
    assert judge(small, parse_threshold("+10%")).verdict == "pass"
    large = Observation(METRICS["memory.peak"], 100 * mib, 120 * mib)
    assert judge(large, parse_threshold("+10%")).verdict == "fail"


def test_bound_threshold_on_head_value():
    obs = Observation(METRICS["fidelity.cosine"], None, 0.998)
    assert judge(obs, parse_threshold(">= 0.999")).verdict == "fail"
    assert judge(obs, parse_threshold(">= 0.99")).verdict == "pass"


def test_no_threshold_means_not_gated_and_a_gated_metric_left_unmeasured_is_undecided():
    assert judge(Observation(METRICS["params"], 10, 20), None).verdict == "skipped"
    missing = judge(Observation(METRICS["size"], None, 20), parse_threshold("+1%"))
    assert missing.verdict == "inconclusive"
    assert "not decided" in "; ".join(missing.notes)
    from_zero = judge(Observation(METRICS["size"], 0, 20), parse_threshold("+1%"))
    assert from_zero.verdict == "inconclusive"
    assert "exactly 0" in "; ".join(from_zero.notes)
    assert judge(Observation(METRICS["size"], 0, 0), parse_threshold("+1%")).verdict == "pass"


def test_measured_energy_is_judged_like_a_sampled_metric_and_keeps_its_source():
    obs = Observation(
        METRICS["energy"],
        1.0,
        1.3,
        estimate=est(1.3, 1.2, 1.4, n=8),
        p_value=0.001,
        method="sampled",
        source="rapl: package-0+dram",
    )
    result = judge(obs, parse_threshold("+10%"))
    assert result.verdict == "fail"
    assert result.source == "rapl: package-0+dram"
    wide = Observation(
        METRICS["energy"], 1.0, 1.05, estimate=est(1.05, 0.9, 1.25, n=8), p_value=0.3
    )
    assert judge(wide, parse_threshold("+10%")).verdict == "inconclusive"


def test_the_energy_proxy_is_deterministic_and_gated_relatively():
    obs = Observation(METRICS["energy_proxy"], 2e-6, 2.2e-6, method="static")
    assert judge(obs, parse_threshold("+5%")).verdict == "fail"
    assert judge(obs, parse_threshold("+15%")).verdict == "pass"


def test_a_sampled_metric_without_an_estimate_is_not_decided():
    result = judge(Observation(METRICS["latency.p50"], 1.0, None), FIVE)
    assert (result.verdict, result.notes) == ("inconclusive", ("not decided: not measured",))


def test_an_absolute_threshold_on_a_sampled_metric_scales_by_the_base():
    two_ms = parse_threshold("+0.002")
    slower = Observation(METRICS["latency.p50"], 0.01, 0.0125, estimate=est(1.25, 1.22, 1.28))
    assert judge(slower, two_ms).verdict == "fail"  # +2.5 ms over a 2 ms allowance
    zero = Observation(METRICS["latency.p50"], 0.0, 0.001, estimate=est(1.5, 1.4, 1.6))
    result = judge(zero, two_ms)
    assert (result.verdict, result.notes) == (
        "skipped",
        ("base is zero: a relative threshold cannot apply",),
    )


def test_a_noise_floor_in_another_unit_is_named_in_that_unit():
    from dataclasses import replace

    spec = replace(METRICS["size"], noise_floor=5.0, unit="count")
    result = judge(Observation(spec, 100.0, 104.0), parse_threshold("+1%"))
    assert result.verdict == "pass"
    assert "inside the 5 count noise floor" in "; ".join(result.notes)


def test_accuracy_without_a_paired_change_is_judged_on_the_two_values():
    accuracy = METRICS["accuracy"]
    threshold = parse_threshold("-0.5pp")
    assert judge(Observation(accuracy, 0.90, 0.80), threshold).verdict == "fail"
    assert judge(Observation(accuracy, 0.90, 0.899), threshold).verdict == "pass"
