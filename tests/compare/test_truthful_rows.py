"""Rows that tell the truth: undecided is not a pass, a noise floor is named, estimated
energy is not gated twice, accuracy from a zero base is not skipped silently, and big changes
read as factors (a crashed pass's one line and an accuracy interval in points: tests/render)."""

import numpy as np
import pytest

from mlgate.compare.accuracy_stats import paired_change
from mlgate.compare.compare import evaluate_target
from mlgate.compare.metrics import METRICS
from mlgate.compare.rules import Observation, judge
from mlgate.compare.stats import RatioEstimate
from mlgate.compare.thresholds import parse_threshold
from mlgate.render.format import signed_percent
from mlgate.results.measurements import Measured, MeasuredEnergy, StaticCost
from mlgate.results.verdicts import target_verdict


def test_a_gated_latency_left_undecided_is_inconclusive_and_the_target_is_not_a_pass():
    estimate = RatioEstimate(0.9, 1.0, 1.0, 1.0, 0.98, 1.02, 0.95, 12)
    obs = Observation(
        METRICS["latency.p90"], 1.0, 1.0, estimate=estimate, undecided="too few calls (12)"
    )
    result = judge(obs, parse_threshold("+10%"))
    assert result.verdict == "inconclusive"
    assert "too few calls" in "; ".join(result.notes)
    assert target_verdict([result]) == "inconclusive"


def test_a_memory_change_over_its_threshold_inside_the_noise_floor_says_so():
    mib = 2**20
    result = judge(Observation(METRICS["memory.peak"], 20 * mib, 26 * mib), parse_threshold("+10%"))
    assert result.verdict == "pass"
    assert "inside the 8 MiB noise floor" in "; ".join(result.notes)


def test_energy_estimated_from_cpu_time_is_shown_not_gated_twice():
    energy = MeasuredEnergy("estimated", "CPU time x 10 W", np.full(8, 1.0), np.full(8, 2.0))
    result = evaluate_target(
        "cpu", ["CPU"], 1, Measured(size=(1, 1), params=(1, 1), energy=energy),
        {"energy": parse_threshold("+10%")},
    )  # fmt: skip
    row = next(m for m in result.metrics if m.name == "energy")
    assert row.verdict == "skipped"
    assert "same signal as latency" in "; ".join(row.notes)
    assert result.verdict == "pass"


def test_accuracy_from_a_zero_base_error_is_judged_not_skipped():
    base = np.zeros(200)
    head = np.full(200, 0.01)
    obs = Observation(
        METRICS["accuracy"], 0.0, 0.01, higher_is_better=False, eval_metric="mse",
        paired=paired_change(base, head, binary=False, confidence=0.95),
    )  # fmt: skip
    result = judge(obs, parse_threshold("+5%"))
    assert result.verdict == "fail"
    assert "exactly 0" in "; ".join(result.notes)


@pytest.mark.parametrize(
    ("change", "text"),
    [(3.52, "×4.52"), (1.0, "×2"), (0.5, "+50.0%"), (-0.4, "−40.0%"), (-0.75, "×0.25")],
)
def test_changes_of_two_fold_or_more_read_as_factors(change, text):
    assert signed_percent(change) == text


def test_an_energy_proxy_with_uncounted_ops_on_a_side_is_shown_not_gated():
    # a random forest (tree ops, uncounted) replaced by a logistic regression (counted
    # MatMul): both proxies are lower bounds by different amounts, so no ratio is gated
    static = StaticCost(macs=(0, 120), energy_proxy=(1e-9, 5e-9), proxy_version="v1",
                        uncounted=(3, 0))  # fmt: skip
    result = evaluate_target(
        "cpu", ["CPU"], 1, Measured(size=(1, 1), params=(1, 1), static=static),
        {"energy_proxy": parse_threshold("+5%")},
    )  # fmt: skip
    row = next(m for m in result.metrics if m.name == "energy_proxy")
    assert row.verdict == "skipped"
    assert "lower bound" in "; ".join(row.notes)
    assert result.verdict == "pass"


def test_gated_fidelity_with_no_comparable_output_is_undecided_not_a_pass():
    from mlgate.results.measurements import Fidelity

    result = evaluate_target(
        "cpu", ["CPU"], 1, Measured(size=(1, 1), params=(1, 1), fidelity=Fidelity()),
        {"fidelity.cosine": parse_threshold(">= 0.999")},
    )  # fmt: skip
    row = next(m for m in result.metrics if m.name == "fidelity.cosine")
    assert row.verdict == "inconclusive"
    assert "could be compared" in "; ".join(row.notes)
    assert result.verdict == "inconclusive"
