"""Merging the run reports of a target matrix: same commits only, every target accounted for."""

from __future__ import annotations

import dataclasses

import pytest

from mlgate.errors import DataError
from mlgate.results.merge import ExpectedTarget, combine, merge_runs
from mlgate.results.schema import SCHEMA_VERSION, Results, RunContextInfo, RunReport
from tests.render.sample import sample_results

CONTEXT = RunContextInfo(repository="org/repo", base_sha="a" * 40, head_sha="b" * 40)


def _report(*results: Results, context: RunContextInfo = CONTEXT, **extra: object) -> RunReport:
    return RunReport(
        SCHEMA_VERSION,
        "mlgate-run",
        "2026-11-23T00:00:00+00:00",
        "pass",
        context,
        "mlgate.yml",
        results=list(results),
        **extra,  # type: ignore[arg-type]
    )


def _on(target: str, results: Results) -> Results:
    return dataclasses.replace(
        results, targets=[dataclasses.replace(results.targets[0], name=target)]
    )


def test_two_targets_of_one_model_become_one_result():
    passing = sample_results(fail=False, undecided=False)
    cpu = _report(_on("cpu", passing), notes=["n1"], errors=[])
    gpu = _report(_on("gpu", passing), notes=["n1", "n2"])
    merged = merge_runs(
        [("cpu/run.json", cpu), ("gpu/run.json", gpu)],
        [ExpectedTarget("cpu", ("CPUExecutionProvider",)), ExpectedTarget("gpu", ("CUDA",))],
    )
    assert [r.model for r in merged.results] == [passing.model]
    assert [t.name for t in merged.results[0].targets] == ["cpu", "gpu"]
    assert merged.results[0].verdict == "pass"
    assert merged.verdict == "pass"
    assert merged.notes == ["n1", "n2"]


def test_a_missing_target_is_an_error_unless_allowed():
    passing = sample_results(fail=False, undecided=False)
    reports = [("cpu/run.json", _report(_on("cpu", passing)))]
    strict = merge_runs(reports, [ExpectedTarget("cpu", ()), ExpectedTarget("arm", ("CPU",))])
    arm = strict.results[0].targets[1]
    assert (arm.name, arm.verdict, arm.providers) == ("arm", "error", ["CPU"])
    assert "no results from target 'arm'" in (arm.error or "")
    assert strict.results[0].verdict == "error"
    assert strict.verdict == "error"

    lenient = merge_runs(reports, [ExpectedTarget("arm", ("CPU",), allow_missing=True)])
    skipped = lenient.results[0].targets[1]
    assert skipped.verdict == "skipped"
    assert skipped.notes[0].endswith("(allow_missing)")
    assert lenient.verdict == "pass"


def test_results_of_different_commits_are_never_merged():
    passing = sample_results(fail=False)
    other = dataclasses.replace(CONTEXT, head_sha="c" * 40)
    with pytest.raises(DataError, match=r"head ccccccc.*different commits"):
        merge_runs(
            [("a/run.json", _report(passing)), ("b/run.json", _report(passing, context=other))],
            [],
        )


def test_no_report_at_all_says_what_to_check():
    with pytest.raises(DataError, match="did any matrix job upload"):
        merge_runs([], [])


def test_errors_are_kept_once_and_fail_the_run():
    failing = sample_results(fail=True)
    a = _report(_on("cpu", failing), errors=["e1"])
    b = _report(_on("gpu", failing), errors=["e1", "e2"])
    merged = merge_runs([("a", a), ("b", b)], [])
    assert merged.errors == ["e1", "e2"]
    assert merged.verdict == "error"
    assert merged.results[0].verdict == "fail"


def test_combine_keeps_the_first_model_facts_and_every_distinct_error():
    first = dataclasses.replace(sample_results(fail=False), head=None, errors=["x"])
    second = dataclasses.replace(sample_results(fail=False), errors=["x", "y"])
    combined = combine(first, second)
    assert combined.head == second.head
    assert combined.base == first.base
    assert combined.errors == ["x", "y"]
    assert len(combined.targets) == 2
