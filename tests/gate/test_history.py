"""gate.history: main's results committed to an orphan history branch in a real git
repository, without touching the work tree, and read back by model."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from mlgate.errors import DataError
from mlgate.gate.history import RecordOutcome, git_reader, history_ref, record
from tests.gate.runs import main_repo, write_main_run
from tests.github.actions_runtime import git

NOW = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)


def test_record_writes_one_record_per_model_and_target_on_an_orphan_branch(tmp_path):
    repo = main_repo(tmp_path)
    head = git(repo, "rev-parse", "HEAD")
    report = write_main_run(tmp_path / "results" / "cpu" / "run.json")
    outcome = record(tmp_path / "results", "hist", repo, NOW)
    assert outcome.commit == git(repo, "rev-parse", "hist")
    assert git(repo, "log", "--format=%P", "-1", "hist") == ""  # an orphan root
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain") == ""
    sha = report.results[0].head.sha256
    assert [p.rsplit("/", 1)[0] for p in outcome.paths] == [f"models/{sha}"]
    assert outcome.summary().startswith(f"recorded 1 result(s) on hist ({outcome.commit[:7]}):")


def test_history_ref_finds_the_local_branch_else_origins(tmp_path):
    repo = main_repo(tmp_path)
    assert history_ref("hist", repo) is None
    write_main_run(tmp_path / "results" / "run.json")
    commit = record(tmp_path / "results", "hist", repo, NOW).commit
    assert history_ref("hist", repo) == commit
    git(repo, "update-ref", "refs/remotes/origin/fetched", str(commit))
    assert history_ref("fetched", repo) == commit


def test_git_reader_reads_a_models_records_and_nothing_for_an_unknown_model(tmp_path):
    repo = main_repo(tmp_path)
    report = write_main_run(tmp_path / "results" / "run.json")
    commit = record(tmp_path / "results", "hist", repo, NOW).commit
    assert commit is not None
    read = git_reader(commit, repo)
    ((name, data),) = read(report.results[0].head.sha256)
    assert name.endswith(".json")
    assert b'"recorded_at": "2026-11-20T10:00:00+00:00"' in data
    assert read("0" * 64) == []


def test_a_run_with_nothing_measured_records_nothing(tmp_path):
    repo = main_repo(tmp_path)
    write_main_run(tmp_path / "results" / "run.json", results=False)
    outcome = record(tmp_path / "results", "hist", repo, NOW)
    assert outcome == RecordOutcome("hist", None)
    assert history_ref("hist", repo) is None
    assert outcome.summary().startswith("mlgate: no measured results to record")


def test_no_run_json_is_a_data_error(tmp_path):
    (tmp_path / "results").mkdir()
    with pytest.raises(DataError, match=r"no run\.json under"):
        record(tmp_path / "results", "hist", tmp_path, NOW)
