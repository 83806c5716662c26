"""The reusable workflow's jobs end to end: `mlgate bench` per target as separate processes
(the matrix), the Action in `merge` mode posting one comment and one check run through
PyGithub to the contract-checked server; and main-branch history recorded by
`mlgate history record` shown in the next pull request's comment."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.github.actions_runtime import (
    CONFIG,
    DEMO,
    Runner,
    error_lines,
    git,
    make_repo,
    pull_request_event,
    run_entrypoint,
)
from tests.github.server import FakeGitHub, Served

TWO_TARGETS = CONFIG.replace("latency:\n  budget_seconds: 3", "latency:\n  budget_seconds: 1") + (
    "targets:\n  - {name: cpu-a}\n  - {name: cpu-b}\nenergy: {measure: false}\n"
)


@pytest.fixture
def github():
    fake = FakeGitHub()
    with Served(fake):
        yield fake
    assert fake.violations == [], "requests or responses broke GitHub's REST contract"


def mlgate(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mlgate", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def bench(repo: Path, base: str, head: str, target: str) -> None:
    done = mlgate(repo, "bench", "--base", base, "--head", head, "--target", target,
                  "--out", "mlgate-results", "--no-memory")  # fmt: skip
    assert done.returncode == 1, done.stderr  # the head regresses on every target
    assert (repo / "mlgate-results" / target / "run.json").is_file()


@pytest.mark.slow
def test_merge_mode_marks_a_missing_target_then_merges_the_full_matrix_into_one_comment(
    tmp_path, github
):
    repo = make_repo(tmp_path, "regressed", TWO_TARGETS)
    github.add_pull(7, repo.head_sha, repo.base_sha)
    event = pull_request_event(repo)
    runner = Runner(tmp_path, repo.path, github.base_url, "pull_request", event,
                    inputs={"mode": "merge"}, sha=repo.merge_sha)  # fmt: skip
    bench(repo.path, repo.base_sha, repo.head_sha, "cpu-a")

    done = run_entrypoint(runner)  # cpu-b's job left nothing
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no results from target 'cpu-b'" in done.stderr
    assert len(error_lines(done.stderr)) == 1  # one line, after the progress lines
    (comment,) = github.comments_on(7)
    assert "no results from target 'cpu-b'" in comment["body"]
    merged = json.loads((repo.path / "mlgate-results" / "run.json").read_text())
    assert merged["context"]["pr_number"] == 7  # this job's context, the jobs' commits
    assert merged["context"]["head_sha"] == repo.head_sha

    bench(repo.path, repo.base_sha, repo.head_sha, "cpu-b")
    done = run_entrypoint(runner)
    assert done.returncode == 1, done.stdout + done.stderr
    (comment,) = github.comments_on(7)  # the same sticky comment, updated
    body = comment["body"]
    assert "#### ❌ cpu-a" in body
    assert "#### ❌ cpu-b" in body
    assert "Across targets: latency, energy, cost and carbon" in body
    table = body.split("Across targets")[1].split("</details>")[0]
    assert "| cpu-a |" in table
    assert "| cpu-b |" in table
    assert [c["conclusion"] for c in github.check_runs.values()] == ["failure", "failure"]
    assert runner.outputs()["verdict"] == "fail"


@pytest.mark.slow
def test_results_recorded_on_main_show_in_the_next_pull_requests_comment(tmp_path):
    repo = make_repo(tmp_path, "regressed", TWO_TARGETS.replace("  - {name: cpu-b}\n", "")).path
    # A push to main made digits.onnx the regressed model; its results are recorded.
    done = mlgate(repo, "check", "--base", "main~1", "--head", "feature", "--out", "pushed",
                  "--budget-seconds", "1", "--no-memory")  # fmt: skip
    assert done.returncode == 1, done.stderr
    done = mlgate(repo, "history", "record", "--results", "pushed")
    assert done.returncode == 0, done.stderr
    assert "push it: git push origin mlgate-history" in done.stdout
    recorded = json.loads((repo / "pushed" / "run.json").read_text())
    recorded_p50 = next(
        m["head"] for m in recorded["results"][0]["targets"][0]["metrics"]
        if m["name"] == "latency.p50"
    )  # fmt: skip

    # The next PR changes it back: its base model is the one main recorded.
    git(repo, "checkout", "-q", "-b", "revert", "feature")
    shutil.copy(DEMO / "base.onnx", repo / "models" / "digits.onnx")
    git(repo, "commit", "-qam", "revert the model")
    done = mlgate(repo, "check", "--base", "feature", "--out", "pr", "--comment", "c.md",
                  "--budget-seconds", "1", "--no-memory")  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    run = json.loads((repo / "pr" / "run.json").read_text())
    history = run["results"][0]["targets"][0]["history"]
    assert history["same_machine"] is True
    assert history["metrics"]["latency.p50"] == recorded_p50
    assert history["commit"] == recorded["context"]["head_sha"]
    comment = (repo / "c.md").read_text()
    assert f"Last on main ({history['commit'][:7]}" in comment
    assert not any("not deterministic" in n for n in run["results"][0]["targets"][0]["notes"])
