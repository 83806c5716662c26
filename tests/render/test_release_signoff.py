"""A release's sign-off, unit by unit: one checklist row per target (blocking: an unwaived
failure or an error), the headline over the rows, and the waivers to check before signing."""

from __future__ import annotations

import dataclasses

from mlgate.render.release_signoff import (
    checklist_item,
    sign_off_headline,
    waived_reason,
    waiver_rows,
)
from mlgate.render.view import ICONS
from tests.render.sample import collected, sample_results, with_target


def _target(**changes: object):  # type: ignore[no-untyped-def]
    return with_target(sample_results(fail=False, undecided=False), **changes).targets[0]


def _waived_p50(reason: tuple[str, ...] = ("waived until 2026-12-31: ARM launch",)):  # type: ignore[no-untyped-def]
    target = sample_results(fail=True).targets[0]
    metrics = [
        dataclasses.replace(m, verdict="waived", notes=reason) if m.verdict == "fail" else m
        for m in target.metrics
    ]
    return dataclasses.replace(target, verdict="pass", metrics=metrics)


def test_a_passing_target_is_a_plain_pass():
    item = checklist_item("m.onnx", _target())
    assert (item.model, item.target, item.status, item.kind) == (
        "m.onnx",
        "cpu-x86",
        "passed",
        "pass",
    )
    assert item.icon == ICONS["pass"]
    assert not item.blocking
    assert item.detail == ""


def test_a_failure_blocks_and_names_the_failing_metric():
    item = checklist_item("m.onnx", sample_results(fail=True).targets[0])
    assert (item.status, item.blocking, item.kind) == ("failed", True, "fail")
    assert item.detail.startswith("latency p50 (")
    assert "threshold +5%" in item.detail


def test_an_error_blocks_with_its_message_or_a_default():
    assert checklist_item("m", _target(verdict="error", error="no CUDA")).detail == "no CUDA"
    item = checklist_item("m", _target(verdict="error"))
    assert (item.detail, item.blocking) == ("the target did not run", True)


def test_a_skipped_target_is_not_measured_and_does_not_block():
    item = checklist_item("m", _target(verdict="skipped", metrics=[], notes=["allow_missing"]))
    assert (item.status, item.blocking, item.detail) == ("not measured", False, "allow_missing")
    assert checklist_item("m", _target(verdict="skipped", notes=[])).detail == "no results"


def test_a_waived_failure_passes_with_the_waivers_reason():
    item = checklist_item("m", _waived_p50())
    assert (item.status, item.blocking, item.kind) == ("passed with waivers", False, "waived")
    assert item.detail == "latency p50: waived until 2026-12-31: ARM launch"
    assert waived_reason(_waived_p50(()).metrics[2]) == "waived"


def test_the_headline_counts_blocking_items_and_errors():
    failed = checklist_item("m", sample_results(fail=True).targets[0])
    ready, headline, summary = sign_off_headline([failed], ["b.onnx: not a model"])
    assert (ready, headline) == (False, "Not ready to sign off")
    assert summary.startswith("2 blocking items:")
    assert sign_off_headline([failed], [])[2].startswith("1 blocking item:")


def test_a_ready_headline_says_what_passed_with_waivers_or_unmeasured():
    items = [
        checklist_item("a", _target()),
        checklist_item("b", _waived_p50()),
        checklist_item("c", _target(verdict="skipped")),
    ]
    ready, headline, summary = sign_off_headline(items, [])
    assert (ready, headline) == (True, "Ready to sign off")
    assert summary.startswith(
        "Every target passed (1 with waivers, 1 not measured (allowed by the config))."
    )
    assert sign_off_headline(items[:1], [])[2].startswith("Every target passed. Check")


def test_waiver_rows_list_each_waived_metric_with_its_change():
    results = sample_results(fail=True)
    waived = dataclasses.replace(results, targets=[_waived_p50()])
    (row,) = waiver_rows(collected(waived))
    assert (row.model, row.target, row.metric) == (results.model, "cpu-x86", "latency p50")
    assert row.change == "+11.8%"
    assert row.reason == "waived until 2026-12-31: ARM launch"
    assert waiver_rows(collected(sample_results(fail=False))) == []
