"""Our results in other tools' formats: github-action-benchmark entries and CSV rows."""

from __future__ import annotations

import dataclasses

from mlgate.results.export import CSV_COLUMNS, csv_rows, github_action_benchmark
from mlgate.results.schema import MetricResult
from tests.render.sample import error_results, sample_results


def _with_metrics(*metrics: MetricResult):
    results = sample_results(fail=False)
    target = dataclasses.replace(results.targets[0], metrics=list(metrics))
    return dataclasses.replace(results, targets=[target])


def test_entries_are_scaled_split_by_direction_and_explained():
    latency = MetricResult(
        "latency.p50", "s", False, 0.002, 0.0025, 0.25, 0.0005, "+5%", "fail",
        ci=(0.2, 0.3), source="interleaved",
    )  # fmt: skip
    accuracy = MetricResult("accuracy", "fraction", True, 0.9, 0.91, None, 0.01, None, "pass")
    found = github_action_benchmark([_with_metrics(latency, accuracy)])
    (slow,) = found["smaller"]
    assert slow["name"] == "models/classifier.onnx [cpu-x86] latency.p50"
    assert (slow["value"], slow["unit"]) == (2.5, "ms")
    assert slow["range"] == "CI +20.00%…+30.00% vs base"
    assert slow["extra"].splitlines() == [
        "base: 2 ms",
        "change: +25.00%",
        "threshold: +5%",
        "verdict: fail",
        "source: interleaved",
    ]
    (acc,) = found["bigger"]
    assert (acc["value"], acc["unit"]) == (91.0, "%")
    assert "range" not in acc
    assert acc["extra"] == "base: 90 %\nverdict: pass"


def test_a_metric_without_a_head_value_is_left_out_and_odd_units_pass_through():
    missing = MetricResult("memory.peak", "bytes", False, 1.0, None, None, None, None, "skipped")
    odd = MetricResult("custom", "widgets", False, None, 3.0, None, None, None, "pass")
    found = github_action_benchmark([_with_metrics(missing, odd)])
    assert found["bigger"] == []
    assert [(e["name"].rsplit(" ", 1)[1], e["value"], e["unit"]) for e in found["smaller"]] == [
        ("custom", 3.0, "widgets")
    ]
    assert found["smaller"][0]["extra"] == "verdict: pass"


def test_csv_has_one_row_per_model_target_and_metric_in_column_order():
    results = sample_results(fail=True)
    rows = csv_rows([results, error_results()])
    assert len(rows) == len(results.targets[0].metrics)
    assert all(tuple(row) == CSV_COLUMNS for row in rows)
    first, metric = rows[0], results.targets[0].metrics[0]
    assert (first["model"], first["target"], first["metric"]) == (
        results.model,
        "cpu-x86",
        metric.name,
    )
    assert first["head_sha256"] == results.head.sha256
    with_ci = next(r for r, m in zip(rows, results.targets[0].metrics, strict=True) if m.ci)
    assert with_ci["ci_low"] is not None
    assert with_ci["ci_low"] <= with_ci["ci_high"]


def test_csv_without_head_model_or_interval_leaves_blanks():
    plain = MetricResult("size", "bytes", False, 1.0, 2.0, 1.0, 1.0, None, "pass")
    results = dataclasses.replace(_with_metrics(plain), head=None)
    (row,) = csv_rows([results])
    assert (row["ci_low"], row["ci_high"], row["threshold"], row["head_sha256"]) == (
        None,
        None,
        "",
        "",
    )
