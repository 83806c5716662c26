"""The target matrix: plan, one `mlgate bench` process per target, and `mlgate gate` merging
what they wrote into one verdict and one comment, with a missing target marked explicitly."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mlgate.cli import main
from tests.github.actions_runtime import DEMO, git

CONFIG = """
models: [{{path: "models/*.onnx"}}]
targets:
  - {{name: cpu-a}}
  - {{name: cpu-b}}
  - {{name: cpu-c, allow_missing: {allow}}}
latency: {{budget_seconds: 1, min_seconds: 0.2, segment_seconds: 0.1, min_segments: 4}}
"""


def make_repo(tmp_path: Path, allow_missing: bool) -> Path:
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(DEMO / "base.onnx", repo / "models" / "digits.onnx")
    (repo / "mlgate.yml").write_text(CONFIG.format(allow=str(allow_missing).lower()))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr")
    shutil.copy(DEMO / "head.onnx", repo / "models" / "digits.onnx")
    git(repo, "commit", "-qam", "wider model")
    return repo


def bench_process(repo: Path, target: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "mlgate", "bench", "--base", "main", "--target", target,
         "--out", "results", "--no-memory"],
        cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def run_matrix(repo: Path) -> None:
    """cpu-a and cpu-b finish; cpu-c's job dies before writing anything."""
    jobs = [bench_process(repo, "cpu-a"), bench_process(repo, "cpu-b")]
    crashed = bench_process(repo, "cpu-c")
    crashed.kill()
    crashed.wait()
    for job in jobs:
        _, err = job.communicate(timeout=300)
        assert job.returncode == 1, err.decode()  # each job alone already sees the regression


def test_plan_prints_the_matrix_and_an_empty_one_when_nothing_changed(
    tmp_path, capsys, monkeypatch
):
    repo = make_repo(tmp_path, allow_missing=False)
    monkeypatch.chdir(repo)
    assert main(["plan", "--base", "main"]) == 0
    matrix = json.loads(capsys.readouterr().out)
    assert [t["target"] for t in matrix["include"]] == ["cpu-a", "cpu-b", "cpu-c"]
    assert matrix["models"] == ["models/digits.onnx"]
    assert matrix["empty"] is False
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    assert main(["plan", "--base", "main", "--github-output"]) == 0
    capsys.readouterr()
    from tests.github.actions_runtime import parse_outputs

    written = parse_outputs(output.read_text())
    assert json.loads(written["matrix"]) == {"include": matrix["include"]}  # no other key
    assert written["empty"] == "false"
    assert json.loads(written["models"]) == ["models/digits.onnx"]
    assert main(["plan", "--base", "HEAD"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["include"] == []
    assert "no model changed" in captured.err


@pytest.mark.slow
def test_three_targets_one_missing_merge_into_one_comment(tmp_path, capsys, monkeypatch):
    repo = make_repo(tmp_path, allow_missing=False)
    run_matrix(repo)
    monkeypatch.chdir(repo)
    code = main(["gate", "--results", "results", "--config", "mlgate.yml", "--comment", "c.md"])
    capsys.readouterr()
    merged = json.loads((repo / "results" / "merged-run.json").read_text())
    (model,) = merged["results"]
    verdicts = {t["name"]: t["verdict"] for t in model["targets"]}
    assert verdicts == {"cpu-a": "fail", "cpu-b": "fail", "cpu-c": "error"}
    assert merged["verdict"] == "error"  # a target that should have run did not
    assert code == 2
    comment = (repo / "c.md").read_text()
    assert comment.count("#### ") >= 3  # a section per target
    assert "no results from target 'cpu-c'" in comment

    # The same matrix when the config allows cpu-c to be missing: the regression decides.
    (repo / "mlgate.yml").write_text(CONFIG.format(allow="true"))
    code = main(["gate", "--results", "results", "--config", "mlgate.yml", "--comment", "c.md"])
    capsys.readouterr()
    merged = json.loads((repo / "results" / "merged-run.json").read_text())
    verdicts = {t["name"]: t["verdict"] for t in merged["results"][0]["targets"]}
    assert verdicts == {"cpu-a": "fail", "cpu-b": "fail", "cpu-c": "skipped"}
    assert merged["verdict"] == "fail"
    assert code == 1


def test_results_of_different_commits_are_never_merged(tmp_path, capsys):
    from mlgate.results import store
    from mlgate.results.schema import SCHEMA_VERSION, RunContextInfo, RunReport

    for name, head in (("a", "1" * 40), ("b", "2" * 40)):
        context = RunContextInfo(base_sha="0" * 40, head_sha=head)
        report = RunReport(
            SCHEMA_VERSION, "mlgate-run", "2026-11-23T00:00:00+00:00", "pass", context, "defaults"
        )
        store.write_results(report, tmp_path / "results" / name / "run.json")
    code = main(["gate", "--results", str(tmp_path / "results")])
    err = capsys.readouterr().err
    assert code == 2
    assert "different commits are never merged" in err
    assert err.count("\n") == 1


def test_an_empty_results_folder_is_one_line(tmp_path, capsys):
    (tmp_path / "results").mkdir()
    assert main(["gate", "--results", str(tmp_path / "results")]) == 2
    assert "no run.json found" in capsys.readouterr().err
