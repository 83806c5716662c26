"""pytest-benchmark results (`pytest --benchmark-json`) as gated metrics: each benchmark that
both files hold is compared base vs head with a significance test and the same threshold
rules as latency, and shown as its own target ("pytest-benchmark") in the results.

With raw timings in both files (`--benchmark-save-data`) the test is Mann-Whitney U and the
interval a bootstrap of the median ratio; otherwise Welch's t-test on the means from the
stats, with a log-normal interval for the ratio of means. Files from different machines are
reported and not gated."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats as scipy_stats

from mlgate.compare.metrics import METRICS, MetricSpec
from mlgate.compare.rules import Observation, judge
from mlgate.compare.stats import RatioEstimate
from mlgate.compare.thresholds import Threshold
from mlgate.errors import DataError
from mlgate.results.schema import MetricResult, TargetResult
from mlgate.results.verdicts import target_verdict

TARGET_NAME = "pytest-benchmark"
# machine_info keys whose difference makes timings incomparable.
_MACHINE_KEYS = (
    ("cpu", "brand_raw"), ("machine",), ("system",), ("python_implementation",),
    ("python_version",),
)  # fmt: skip
_MIN_ROUNDS = 5


@dataclass(frozen=True)
class Benchmark:
    name: str
    mean: float
    stddev: float
    median: float
    rounds: int
    data: np.ndarray | None


@dataclass(frozen=True)
class BenchmarkFile:
    source: str
    machine: dict[str, str]
    benchmarks: dict[str, Benchmark]


def _number(stats: dict[str, Any], key: str, where: str) -> float:
    value = stats.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise DataError(f"{where}: stats.{key} is missing or not a number")
    return float(value)


def _benchmark(entry: Any, source: str, index: int) -> Benchmark:
    where = f"{source}: benchmarks[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("stats"), dict):
        raise DataError(f"{where} has no stats; is this a `pytest --benchmark-json` file?")
    name = entry.get("fullname") or entry.get("name")
    if not isinstance(name, str) or not name:
        raise DataError(f"{where} has no name")
    stats = entry["stats"]
    data = stats.get("data")
    raw = None
    if isinstance(data, list) and data and all(isinstance(v, (int, float)) for v in data):
        raw = np.asarray(data, dtype=np.float64)
    rounds = _number(stats, "rounds", where)
    return Benchmark(
        name=name,
        mean=_number(stats, "mean", where),
        stddev=_number(stats, "stddev", where),
        median=_number(stats, "median", where),
        rounds=int(rounds),
        data=raw,
    )


def _machine(info: Any) -> dict[str, str]:
    found = {}
    for path in _MACHINE_KEYS:
        value: Any = info
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            found[".".join(path)] = str(value)
    return found


def parse_benchmark_file(document: dict[str, Any], source: str) -> BenchmarkFile:
    entries = document.get("benchmarks")
    if not isinstance(entries, list):
        raise DataError(f"{source} has no `benchmarks` list; write it with pytest --benchmark-json")
    benchmarks = {}
    for index, entry in enumerate(entries):
        bench = _benchmark(entry, source, index)
        benchmarks[bench.name] = bench
    return BenchmarkFile(source, _machine(document.get("machine_info")), benchmarks)


def _welch(base: Benchmark, head: Benchmark, confidence: float) -> tuple[RatioEstimate, float]:
    ratio = head.mean / base.mean
    var_log = (head.stddev / head.mean) ** 2 / head.rounds + (
        base.stddev / base.mean
    ) ** 2 / base.rounds
    z = float(scipy_stats.norm.ppf(0.5 + confidence / 2))
    spread = z * math.sqrt(var_log)
    if base.stddev == 0 and head.stddev == 0:
        p_value = 1.0 if base.mean == head.mean else 0.0
    else:
        p_value = float(
            scipy_stats.ttest_ind_from_stats(
                head.mean, head.stddev, head.rounds, base.mean, base.stddev, base.rounds,
                equal_var=False,
            ).pvalue
        )  # fmt: skip
    estimate = RatioEstimate(
        0.5, base.mean, head.mean, ratio, ratio * math.exp(-spread), ratio * math.exp(spread),
        confidence, min(base.rounds, head.rounds),
    )  # fmt: skip
    return estimate, p_value


def _raw(base: np.ndarray, head: np.ndarray, confidence: float) -> tuple[RatioEstimate, float]:
    def statistic(b: np.ndarray, h: np.ndarray, axis: int = -1) -> np.ndarray:
        ratios: np.ndarray = np.median(h, axis=axis) / np.median(b, axis=axis)
        return ratios

    result = scipy_stats.bootstrap(
        (base, head), statistic, vectorized=True, n_resamples=1000, confidence_level=confidence,
        method="percentile", rng=np.random.default_rng(0),
    )  # fmt: skip
    ratio = float(np.median(head) / np.median(base))
    p_value = float(scipy_stats.mannwhitneyu(base, head, alternative="two-sided").pvalue)
    estimate = RatioEstimate(
        0.5, float(np.median(base)), float(np.median(head)), ratio,
        min(float(result.confidence_interval.low), ratio),
        max(float(result.confidence_interval.high), ratio), confidence,
        int(min(base.size, head.size)),
    )  # fmt: skip
    return estimate, p_value


def _spec(name: str) -> MetricSpec:
    generic = METRICS["pytest_benchmark"]
    return MetricSpec(f"bench: {name}", "s", False, None, generic.description, sampled=True)


def compare_benchmarks(
    base: BenchmarkFile,
    head: BenchmarkFile,
    threshold: Threshold | None,
    confidence: float = 0.95,
) -> TargetResult:
    """One pseudo-target holding a metric per benchmark present in both files."""
    notes = []
    differs = sorted(
        key
        for key in set(base.machine) | set(head.machine)
        if base.machine.get(key) != head.machine.get(key)
    )
    not_gated = ""
    if differs:
        detail = "; ".join(
            f"{k}: {base.machine.get(k, '?')} vs {head.machine.get(k, '?')}" for k in differs
        )
        not_gated = "base and head ran on different machines"
        notes.append(f"machine_info differs between the files ({detail}): shown, not gated")
    only = sorted(set(base.benchmarks) ^ set(head.benchmarks))
    if only:
        notes.append(f"in one file only (not compared): {', '.join(only[:10])}")
    metrics: list[MetricResult] = []
    for name in sorted(set(base.benchmarks) & set(head.benchmarks)):
        b, h = base.benchmarks[name], head.benchmarks[name]
        if b.mean <= 0 or h.mean <= 0:
            continue
        if b.data is not None and h.data is not None and min(b.data.size, h.data.size) > 1:
            estimate, p_value = _raw(b.data, h.data, confidence)
        else:
            estimate, p_value = _welch(b, h, confidence)
        reason = not_gated
        if not reason and min(b.rounds, h.rounds) < _MIN_ROUNDS:
            reason = f"fewer than {_MIN_ROUNDS} rounds"
        obs = Observation(
            _spec(name), estimate.base, estimate.head, estimate=estimate, p_value=p_value,
            not_gated=reason, method="sampled", source="pytest-benchmark",
        )  # fmt: skip
        metrics.append(judge(obs, threshold, 1.0 - confidence))
    return TargetResult(TARGET_NAME, [], 0, target_verdict(metrics), metrics, notes=notes)
