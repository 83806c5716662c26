"""gate.merge: every matrix job's run.json merged into one verdict, one run.json and one
comment; an expected target that did not report is an error unless it may be missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.errors import DataError
from mlgate.gate.merge import MergeOptions, merge_jobs
from mlgate.results.schema import SCHEMA_VERSION, RunContextInfo, RunReport
from mlgate.results.store import write_results
from tests.gate.runs import write_main_run
from tests.render.sample import sample_results

TARGETS = "targets: [{name: cpu-x86}, {name: arm, allow_missing: true}]\n"


def _config(tmp_path: Path, text: str = TARGETS) -> Path:
    path = tmp_path / "mlgate.yml"
    path.write_text(text)
    return path


def test_a_passing_job_and_an_allowed_missing_target_merge_into_a_pass(tmp_path):
    write_main_run(tmp_path / "results" / "cpu-x86" / "run.json")
    outcome = merge_jobs(MergeOptions(tmp_path / "results", config=_config(tmp_path)))
    assert (outcome.exit_code, outcome.report.verdict) == (0, "pass")
    (results,) = outcome.report.results
    assert {t.name: t.verdict for t in results.targets} == {"cpu-x86": "pass", "arm": "skipped"}
    assert outcome.written == [tmp_path / "results" / "merged-run.json"]


def test_an_expected_target_that_did_not_report_is_an_error(tmp_path):
    write_main_run(tmp_path / "results" / "cpu-x86" / "run.json")
    config = _config(tmp_path, "targets: [{name: cpu-x86}, {name: arm}]\n")
    comment = tmp_path / "comment.md"
    outcome = merge_jobs(MergeOptions(tmp_path / "results", config=config, comment_out=comment))
    assert (outcome.exit_code, outcome.report.verdict) == (2, "error")
    assert outcome.written[-1] == comment
    assert "no results from target 'arm'" in comment.read_text()


def test_a_failing_job_fails_the_merged_run(tmp_path):
    report = RunReport(
        SCHEMA_VERSION,
        "mlgate-run",
        "2026-11-20T10:00:00+00:00",
        "fail",
        RunContextInfo(head_sha="1" * 40),
        "mlgate.yml",
        results=[sample_results(fail=True, undecided=False)],
    )
    write_results(report, tmp_path / "results" / "cpu-x86" / "run.json")
    outcome = merge_jobs(MergeOptions(tmp_path / "results", config=_config(tmp_path)))
    assert (outcome.exit_code, outcome.report.verdict) == (1, "fail")


def test_the_merged_file_is_not_merged_again_on_a_rerun(tmp_path):
    write_main_run(tmp_path / "results" / "cpu-x86" / "run.json")
    options = MergeOptions(tmp_path / "results", config=_config(tmp_path))
    first = merge_jobs(options)
    second = merge_jobs(options)
    assert len(second.report.results) == len(first.report.results) == 1


def test_a_missing_results_folder_says_to_download_the_artifacts(tmp_path):
    with pytest.raises(DataError, match="download the matrix jobs' artifacts"):
        merge_jobs(MergeOptions(tmp_path / "nope", config=_config(tmp_path)))
