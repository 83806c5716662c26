import numpy as np
import pytest
from scipy import stats as scipy_stats

from mlgate.compare import stats


def test_identical_samples_give_ratio_one_and_a_tight_interval():
    base = np.array([1.0, 1.1, 0.9, 1.2, 1.0, 0.95, 1.05, 1.0] * 10)
    estimate = stats.paired_ratio(base, base.copy())
    assert estimate.ratio == 1.0
    assert (estimate.low, estimate.high) == (1.0, 1.0)
    assert estimate.min_detectable_change() == 0.0


def test_ten_percent_slower_head_is_bracketed():
    rng = np.random.default_rng(0)
    base = 1e-3 * (1 + 0.02 * rng.standard_normal(400))
    head = base * 1.10
    estimate = stats.paired_ratio(base, head)
    assert estimate.ratio == pytest.approx(1.10)
    assert estimate.low > 1.0
    assert estimate.low <= 1.10 <= estimate.high + 1e-12


def test_pairing_cancels_shared_noise():
    """Slow drift hits both members of a pair: the paired ratio stays tight."""
    drift = np.linspace(1.0, 2.0, 300)  # the machine gets twice as slow during the run
    jitter = 1 + 0.01 * np.random.default_rng(1).standard_normal(300)
    base = 1e-3 * drift
    head = 1.05e-3 * drift * jitter
    paired = stats.paired_ratio(base, head)
    assert paired.low > 1.0
    assert paired.high - paired.low < 0.03  # only the 1% jitter is left
    # The same samples, pairing destroyed, cannot even tell +5% apart from no change.
    shuffled = stats.paired_ratio(base, np.random.default_rng(2).permutation(head))
    assert shuffled.low < 1.0
    assert shuffled.high - shuffled.low > 5 * (paired.high - paired.low)


def test_p90_ratio_uses_the_p90():
    base = np.arange(1, 101, dtype=float)
    head = base.copy()
    head[95:] *= 3  # only the slowest 5% got slower
    assert stats.paired_ratio(base, head, quantile=0.5).ratio == 1.0
    assert stats.paired_ratio(base, head, quantile=0.99).ratio > 2


def test_rank_test():
    base = np.linspace(1.0, 2.0, 50)
    assert stats.rank_test(base, base) == 1.0
    assert stats.rank_test(base, base * 1.05) < 1e-6


def test_min_samples_follow_the_range_coverage_formula():
    # hand-computed: 1 - 0.9**n - 0.1**n >= 0.95 first holds at n = 29 (0.9**28 = 0.0523)
    assert stats.min_samples_for(0.9) == 29
    assert stats.min_samples_for(0.99) == 299
    assert stats.min_samples_for(0.5) == 6  # 1 - 2 * 0.5**6 = 0.969; n = 5 gives 0.9375
    for quantile, n in stats.MIN_SAMPLES.items():
        coverage = 1 - quantile**n - (1 - quantile) ** n
        before = 1 - quantile ** (n - 1) - (1 - quantile) ** (n - 1)
        assert coverage >= 0.95 > before, quantile


def test_invalid_input():
    with pytest.raises(ValueError, match="paired"):
        stats.paired_ratio(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="positive"):
        stats.paired_ratio(np.zeros(5), np.ones(5))


def test_coefficient_of_variation():
    assert stats.coefficient_of_variation(np.full(10, 2.0)) == 0.0
    assert stats.coefficient_of_variation(np.array([1.0, 2.0, 3.0])) == pytest.approx(
        0.7413, abs=1e-3
    )


def test_large_samples_are_thinned_for_the_interval_but_not_the_ratio():
    rng = np.random.default_rng(7)
    base = 1e-3 * (1 + 0.05 * rng.standard_normal(50_000))
    head = base * 1.02
    estimate = stats.paired_ratio(base, head)
    assert estimate.n == 50_000
    assert estimate.ratio == pytest.approx(1.02)
    assert estimate.low <= estimate.ratio <= estimate.high
    assert estimate.low > 1.0


def test_paired_mean_ratio_of_energy_windows():
    from mlgate.compare.stats import paired_mean_ratio

    base = np.array([1.0, 1.1, 0.9, 1.05, 0.95, 1.0])
    head = base * 1.2  # every window 20% more
    estimate, p_value = paired_mean_ratio(base, head)
    assert estimate.ratio == pytest.approx(1.2)
    assert estimate.low == pytest.approx(1.2)
    assert estimate.high == pytest.approx(1.2)
    assert p_value == 0.0
    noisy = head * np.array([1.02, 0.98, 1.01, 0.99, 1.03, 0.97])
    estimate, p_value = paired_mean_ratio(base, noisy)
    assert estimate.low < 1.2 < estimate.high
    assert p_value < 0.001
    assert paired_mean_ratio(base, np.zeros_like(base)) is None  # a meter that did not move
    assert paired_mean_ratio(base[:1], head[:1]) is None


def test_weighted_quantiles_equal_numpys_quantiles_of_the_built_resample():
    rng = np.random.default_rng(7)
    values = rng.lognormal(size=60)
    cluster = np.repeat(np.arange(4), 15)
    counts = rng.multinomial(4, [0.25] * 4, size=25)
    qs = np.array([0.5, 0.9, 0.99])
    found = stats.weighted_quantiles(values, cluster, counts, qs)
    for row, count in enumerate(counts):
        built = np.concatenate([np.tile(values[cluster == c], count[c]) for c in range(4)])
        expected = np.quantile(built, qs, method="inverted_cdf")
        np.testing.assert_array_equal(found[row], expected)


def test_clustered_interval_with_two_clusters_is_hand_computable():
    # cluster 0: head/base = 1.1 everywhere, cluster 1: 1.3. A resample holds two copies of
    # one cluster, or one of each; the percentile interval spans 1.1..1.3 in log space,
    # widened by t(1)/z around the pooled ratio.
    base = np.tile(np.arange(1.0, 11.0), 2)
    head = np.concatenate([base[:10] * 1.1, base[10:] * 1.3])
    cluster = np.repeat([0, 1], 10)
    (est,) = stats.clustered_ratios(base, head, cluster, (0.5,), 0.95, n_resamples=4000)
    pooled = np.median(head) / np.median(base)
    widen = scipy_stats.t.ppf(0.975, 1) / scipy_stats.norm.ppf(0.975)
    assert est.ratio == pytest.approx(pooled)
    assert est.low == pytest.approx(np.exp(np.log(pooled) - (np.log(pooled) - np.log(1.1)) * widen))
    assert est.high == pytest.approx(
        np.exp(np.log(pooled) + (np.log(1.3) - np.log(pooled)) * widen)
    )
    assert (est.clusters, est.df) == (2, 1)


def test_a_decisive_change_is_decided_from_three_segments_of_a_few_calls():
    rng = np.random.default_rng(3)
    base = 0.372 * np.exp(rng.normal(0, 0.02, 12))
    head = base * 4.5 * np.exp(rng.normal(0, 0.02, 12))
    (est,) = stats.clustered_ratios(base, head, np.repeat([0, 1, 2], 4), (0.5,))
    assert est.low > 4.0
    assert est.min_detectable_change() < 1.0


def test_rank_test_is_scipys_wilcoxon_on_segment_log_ratios():
    rng = np.random.default_rng(5)
    base = rng.lognormal(0, 0.05, 80)
    head = base * rng.lognormal(0.03, 0.02, 80)
    segment = np.repeat(np.arange(8), 10)
    logs = [np.log(np.median(head[segment == s]) / np.median(base[segment == s])) for s in range(8)]
    expected = scipy_stats.wilcoxon(logs).pvalue
    assert stats.rank_test(base, head, segment) == pytest.approx(expected)
    assert stats.smallest_decisive_count(0.05) == 6
