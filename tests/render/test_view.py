"""The per-target view of a results document: metric rows, the failure and undecided
sentences, the headline over every target, the trust lines and the report's header."""

from __future__ import annotations

import dataclasses

from mlgate.render.view import (
    ICONS,
    change_text,
    failure_sentence,
    headline,
    label,
    metric_row,
    report_view,
    target_view,
    undecided_sentence,
)
from mlgate.results.schema import MetricResult
from tests.render.sample import error_results, sample_results


def test_an_accuracy_interval_reads_in_points_not_percent():
    accuracy = MetricResult(
        "accuracy", "fraction", True, 0.976, 0.918, -0.059, -0.0574, "-0.5pp", "fail",
        ci=(-0.066, -0.038), eval_metric="top1",
    )  # fmt: skip
    assert "95% CI −6.6 pt…−3.8 pt" in failure_sentence(accuracy)
    assert change_text(accuracy) == "−5.74 pt (CI −6.6 pt…−3.8 pt)"


def _metric(name: str):  # type: ignore[no-untyped-def]
    return next(m for m in sample_results(fail=True).targets[0].metrics if m.name == name)


def test_labels_name_the_eval_metric_the_proxy_and_the_energy_meter():
    assert label(_metric("accuracy")) == "accuracy (top1)"
    assert label(_metric("energy_proxy")).endswith(" (proxy)")
    assert label(_metric("energy")).endswith(" (rapl)")


def test_a_metric_row_shows_goal_change_threshold_and_icon():
    row = metric_row(_metric("latency.p50"))
    assert row.goal == "↓"
    assert row.threshold == "+5%"
    assert (row.verdict, row.icon) == ("fail", ICONS["fail"])
    assert row.change.startswith("+11.8% (CI ")
    unmeasured = metric_row(dataclasses.replace(_metric("cost"), base=None, threshold=None))
    assert (unmeasured.change, unmeasured.threshold) == ("—", "—")


def test_the_undecided_sentence_says_what_it_needs():
    assert undecided_sentence(_metric("latency.p90")) == (
        "latency p90 not decided (needs about 40 s more, or a smaller input)"
    )
    bare = dataclasses.replace(_metric("latency.p90"), notes=())
    assert undecided_sentence(bare) == "latency p90 not decided"


def test_the_headline_lists_failures_then_the_undecided():
    assert headline(sample_results(fail=True)) == "latency p50 +11.8%; not decided: latency p90"
    assert headline(sample_results(fail=False, undecided=False)) == ""


def test_the_target_view_splits_gated_from_shown_rows_and_says_how_it_was_measured():
    view = target_view(sample_results(fail=True).targets[0], "models/classifier.onnx")
    assert view.failures == [failure_sentence(_metric("latency.p50"))]
    assert view.inconclusive == [undecided_sentence(_metric("latency.p90"))]
    assert all(row.threshold != "—" for row in view.gated_rows)
    assert {row.threshold for row in view.shown_rows} == {"—"}
    assert view.trust[0].startswith("Base and head ran interleaved in one process")
    assert "1,240 pairs in 24.0 s" in view.trust[0]
    assert any("A/A noise on this machine" in line for line in view.trust)
    assert view.recommendation.startswith("could ship 2.41× faster")


def test_the_report_view_header_and_a_run_without_a_head():
    results = sample_results(fail=True)
    view = report_view(results)
    assert view.verdict == "fail"
    assert view.eval_line.startswith("eval set data/eval.npz (sha256 9f3c9f3c9f3c, 540 examples")
    assert results.head is not None
    assert view.head_sha == results.head.sha256[:12]
    assert len(view.head_sha) == 12
    broken = report_view(error_results())
    assert broken.head_sha == "—"
    assert broken.targets == []
    assert broken.errors == error_results().errors
