"""The target matrix: plan, one `mlgate bench` process per target, and `mlgate gate` merging
what they wrote into one verdict and one comment, with a missing target marked explicitly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlgate.cli import main
from tests.commands.matrix_repo import CONFIG, make_repo


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
