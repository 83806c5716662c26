"""pytest-benchmark files parsed as untrusted input and judged as gated metrics: the median
ratio with a bootstrap interval from raw timings, Welch's from summary statistics, and
machines or benchmarks that differ shown, not gated. Hand-written files; the real suite run
end to end is in tests/commands/test_pytest_benchmark.py."""

from __future__ import annotations

import pytest

from mlgate.compare.pytest_benchmark import compare_benchmarks, parse_benchmark_file
from mlgate.compare.thresholds import parse_threshold
from mlgate.errors import DataError


def _file(machine: dict, mean: float, data: list[float] | None = None) -> dict:
    stats = {"mean": mean, "stddev": mean * 0.01, "median": mean, "rounds": 50}
    if data is not None:
        stats["data"] = data
    return {"machine_info": machine, "benchmarks": [{"fullname": "t::x", "stats": stats}]}


MACHINE = {"cpu": {"brand_raw": "AMD EPYC"}, "machine": "x86_64", "python_version": "3.11.7"}


def test_machine_info_mismatch_is_reported_not_gated():
    base = parse_benchmark_file(_file(MACHINE, 1e-3), "base.json")
    other = {**MACHINE, "cpu": {"brand_raw": "Apple M3"}}
    head = parse_benchmark_file(_file(other, 2e-3), "head.json")
    result = compare_benchmarks(base, head, parse_threshold("+10%"))
    (metric,) = result.metrics
    assert metric.verdict == "skipped"
    assert "different machines" in "; ".join(metric.notes)
    assert "cpu.brand_raw: AMD EPYC vs Apple M3" in result.notes[0]
    assert result.verdict == "pass"


def test_raw_timings_use_the_median_ratio_with_a_bootstrap_interval():
    rng = [1e-3 * (1 + 0.01 * ((i * 7) % 5)) for i in range(60)]
    base = parse_benchmark_file(_file(MACHINE, 1e-3, rng), "base.json")
    head = parse_benchmark_file(_file(MACHINE, 1.3e-3, [v * 1.3 for v in rng]), "head.json")
    (metric,) = compare_benchmarks(base, head, parse_threshold("+10%")).metrics
    assert metric.change == pytest.approx(0.3, rel=1e-6)
    assert metric.ci[0] <= 0.3 <= metric.ci[1]
    assert metric.verdict == "fail"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "no `benchmarks` list"),
        ({"benchmarks": [{"name": "x"}]}, "has no stats"),
        ({"benchmarks": [{"name": "x", "stats": {"mean": "fast", "rounds": 5}}]}, "stats.mean"),
    ],
)
def test_malformed_files_are_one_line_data_errors(document, message):
    with pytest.raises(DataError, match=message):
        parse_benchmark_file(document, "b.json")


def test_summary_statistics_use_welchs_interval_on_the_ratio():
    base = parse_benchmark_file(_file(MACHINE, 1e-3), "base.json")
    head = parse_benchmark_file(_file(MACHINE, 1.5e-3), "head.json")
    result = compare_benchmarks(base, head, parse_threshold("+10%"))
    (metric,) = result.metrics
    assert metric.name == "bench: t::x"
    assert metric.change == pytest.approx(0.5)
    assert metric.ci is not None
    assert metric.ci[0] < 0.5 < metric.ci[1]
    assert metric.ci[1] - metric.ci[0] < 0.05  # 1% spread over 50 rounds: narrow
    assert metric.verdict == "fail"
    assert result.verdict == "fail"


def test_benchmarks_in_one_file_only_are_named_not_compared():
    base = parse_benchmark_file(_file(MACHINE, 1e-3), "base.json")
    other = _file(MACHINE, 1e-3)
    other["benchmarks"][0]["fullname"] = "t::y"
    result = compare_benchmarks(base, parse_benchmark_file(other, "head.json"), None)
    assert result.metrics == []
    assert result.notes == ["in one file only (not compared): t::x, t::y"]
