"""Paired accuracy statistics, against scipy and hand-computed cases."""

import numpy as np
import pytest
from scipy import stats as scipy_stats

from mlgate.compare.accuracy_stats import (
    mcnemar,
    paired_bootstrap,
    paired_change,
)
from mlgate.compare.stats import smallest_decisive_count


def _correct(n: int, base_only: int, head_only: int, both: int) -> tuple[np.ndarray, np.ndarray]:
    base = np.zeros(n)
    head = np.zeros(n)
    base[:base_only] = 1
    head[base_only : base_only + head_only] = 1
    start = base_only + head_only
    base[start : start + both] = 1
    head[start : start + both] = 1
    return base, head


def test_mcnemar_is_the_exact_binomial_test_on_discordant_examples():
    base, head = _correct(200, base_only=12, head_only=3, both=150)
    found = mcnemar(base, head, 0.95)
    reference = scipy_stats.binomtest(3, 15, 0.5)
    assert found.p_value == pytest.approx(reference.pvalue)
    assert found.change == pytest.approx((3 - 12) / 200)
    ci = reference.proportion_ci(0.95, method="exact")
    assert found.low == pytest.approx(15 / 200 * (2 * ci.low - 1))
    assert found.high == pytest.approx(15 / 200 * (2 * ci.high - 1))
    assert found.significant  # 12 of 15 one way: p = 0.035
    assert found.high < 0


def test_a_few_flips_on_a_small_eval_set_are_not_significant():
    base, head = _correct(40, base_only=2, head_only=0, both=30)
    found = mcnemar(base, head, 0.95)
    assert found.p_value == pytest.approx(0.5)  # 2 of 2 one way: 2 * 0.25
    assert not found.significant
    assert found.min_detectable >= 6 / 40


def test_no_discordant_examples_is_no_change_with_an_exact_floor():
    base, head = _correct(100, 0, 0, 80)
    found = mcnemar(base, head, 0.95)
    assert (found.change, found.low, found.high, found.p_value) == (0, 0, 0, 1)
    assert smallest_decisive_count(0.05) == 6  # 2 * 0.5**6 = 0.031 < 0.05 <= 2 * 0.5**5
    assert found.min_detectable == pytest.approx(0.06)


def test_paired_bootstrap_of_a_continuous_metric():
    rng = np.random.default_rng(0)
    base = rng.normal(1.0, 0.3, 500) ** 2
    head = base + 0.05 + rng.normal(0, 0.05, 500)
    found = paired_bootstrap(base, head, 0.95)
    diff = head - base
    assert found.change == pytest.approx(np.mean(diff))
    sem = np.std(diff, ddof=1) / np.sqrt(diff.size)
    assert found.low == pytest.approx(np.mean(diff) - 1.96 * sem, abs=sem * 0.3)
    assert found.high == pytest.approx(np.mean(diff) + 1.96 * sem, abs=sem * 0.3)
    assert found.p_value == pytest.approx(scipy_stats.ttest_1samp(diff, 0).pvalue)
    assert found.significant


def test_identical_scores_are_no_change():
    scores = np.linspace(0, 1, 50)
    found = paired_change(scores, scores.copy(), binary=False, confidence=0.95)
    assert (found.change, found.p_value) == (0.0, 1.0)


def test_nan_scores_are_refused():
    with pytest.raises(ValueError, match="NaN"):
        paired_change(np.array([1.0, np.nan]), np.array([1.0, 1.0]), False, 0.95)
    with pytest.raises(ValueError, match="same examples"):
        paired_change(np.ones(3), np.ones(4), True, 0.95)
