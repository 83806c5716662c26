"""The Action end to end: a real git repository, an event payload valid against GitHub's
webhook schema, INPUT_* variables, runner files, the Dockerfile's ENTRYPOINT run as written,
PyGithub over real HTTP to the contract-checked server."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from tests.github.actions_runtime import (
    Runner,
    error_lines,
    git,
    make_repo,
    pull_request_event,
    run_entrypoint,
    workflow_run_event,
)
from tests.github.server import FakeGitHub, Served, random_faults

MARKER = "<!-- mlgate:comment v1 -->"


@pytest.fixture
def github():
    fake = FakeGitHub()
    with Served(fake):
        yield fake
    assert fake.violations == [], "requests or responses broke GitHub's REST contract"
    assert fake.leaked_auth == [], "the token was sent to artifact storage"


def _pr_runner(tmp_path, github, head_model="regressed", fork=False, **inputs) -> Runner:
    repo = make_repo(tmp_path, head_model)
    github.add_pull(7, repo.head_sha, repo.base_sha)
    return Runner(
        tmp_path,
        repo.path,
        github.base_url,
        "pull_request",
        pull_request_event(repo, fork=fork),
        inputs={"budget_seconds": "2", **inputs},
        sha=repo.merge_sha,
    )


def _check_runs(github):
    return list(github.check_runs.values())


@pytest.mark.slow
def test_failing_pr_fails_with_one_comment_a_failed_check_and_outputs(tmp_path, github):
    runner = _pr_runner(tmp_path, github, "regressed")
    done = run_entrypoint(runner)
    assert done.returncode == 1, done.stderr
    comments = github.comments_on(7)
    assert len(comments) == 1
    body = comments[0]["body"]
    assert body.startswith(MARKER)
    assert "regression in `models/digits.onnx`" in body
    assert "accuracy (top1)" in body.splitlines()[3]
    (check,) = _check_runs(github)
    assert check["conclusion"] == "failure"
    assert check["head_sha"] == runner.payload["pull_request"]["head"]["sha"]  # not the merge
    assert check["head_sha"] != runner.sha
    notes = github.annotations[check["id"]]
    assert {a["path"] for a in notes} == {"models/digits.onnx"}
    assert any("accuracy" in a["title"] for a in notes)
    outputs = runner.outputs()
    assert outputs["verdict"] == "fail"
    assert outputs["comment_url"] == comments[0]["html_url"]
    run = json.loads((runner.workspace / "mlgate-results" / "run.json").read_text())
    assert outputs["results_path"].endswith("mlgate-results/run.json")
    assert run["context"]["head_sha"] == runner.payload["pull_request"]["head"]["sha"]
    assert "regression in" in runner.summary()
    assert [r.operation for r in github.api_requests()] == [  # the whole API cost of a run
        "issues/list-comments",
        "issues/create-comment",
        "issues/list-comments",
        "checks/create",
    ]
    assert "::add-mask::write-token" in done.stdout
    assert "write-token" not in done.stdout.replace("::add-mask::write-token", "")


@pytest.mark.slow
def test_passing_pr_passes_and_a_second_run_updates_the_same_comment(tmp_path, github):
    runner = _pr_runner(tmp_path, github, "same")
    first = run_entrypoint(runner)
    assert first.returncode == 0, first.stdout + first.stderr
    (comment,) = github.comments_on(7)
    assert "`models/digits.onnx` passes" in comment["body"]
    assert _check_runs(github)[0]["conclusion"] == "success"

    second = run_entrypoint(runner)
    assert second.returncode == 0, second.stderr
    (again,) = github.comments_on(7)
    assert again["id"] == comment["id"]  # updated in place, not a second comment
    operations = [r.operation for r in github.log]
    assert operations.count("issues/create-comment") == 1
    assert operations[4:] == ["issues/list-comments", "issues/update-comment", "checks/create"]


@pytest.mark.slow
def test_fork_pr_makes_no_write_call_and_still_gates(tmp_path, github):
    runner = _pr_runner(tmp_path, github, "regressed", fork=True)
    runner.inputs["github_token"] = "read-token"
    done = run_entrypoint(runner)
    assert done.returncode == 1
    assert github.log == []  # not even a read: a fork run never calls the API
    assert github.comments_on(7) == []
    assert MARKER in runner.summary()  # the comment is in the job summary instead
    assert (runner.workspace / "mlgate-results" / "run.json").is_file()
    assert "::notice title=mlgate%3A read-only run::" in done.stdout
    assert "::error file=models/digits.onnx,line=1,title=" in done.stdout  # annotations
    assert runner.outputs()["comment_url"] == ""


@pytest.mark.slow
def test_no_model_changed_is_a_fast_neutral_result(tmp_path, github):
    runner = _pr_runner(tmp_path, github, "none")
    done = run_entrypoint(runner)
    assert done.returncode == 0, done.stderr
    assert runner.outputs()["verdict"] == "neutral"
    assert github.comments_on(7) == []  # comment_mode "changes": nothing to say
    (check,) = _check_runs(github)
    assert check["conclusion"] == "neutral"
    assert check["output"]["title"] == "No model to gate"
    assert [r.operation for r in github.api_requests()] == [
        "issues/list-comments",  # only an earlier comment would be updated
        "checks/create",
    ]


@pytest.mark.slow
def test_api_failing_30_percent_still_ends_with_one_comment_and_the_right_conclusion(
    tmp_path, github
):
    runner = _pr_runner(tmp_path, github, "regressed")
    for seed in range(3):
        github.faults = random_faults(0.3, seed)
        done = run_entrypoint(runner)
        assert done.returncode == 1, done.stdout + done.stderr
        assert len(github.comments_on(7)) == 1
        assert {c["conclusion"] for c in _check_runs(github)} == {"failure"}
    assert any(r.fault for r in github.log), "no fault was injected"


@pytest.mark.slow
def test_shallow_checkout_says_fetch_depth_and_the_comment_says_it_too(tmp_path, github):
    runner = _pr_runner(tmp_path, github, "regressed")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{runner.workspace}", str(shallow))
    runner.workspace = shallow
    done = run_entrypoint(runner)
    assert done.returncode == 2
    assert "fetch-depth: 0" in done.stderr
    assert len(error_lines(done.stderr)) == 1  # one line, after the progress lines
    assert "Traceback" not in done.stderr
    (comment,) = github.comments_on(7)
    assert "could not finish" in comment["body"]
    assert "fetch-depth: 0" in comment["body"]
    assert _check_runs(github)[0]["conclusion"] == "failure"


@pytest.mark.slow
def test_bad_config_on_the_base_branch_is_exit_2_with_the_reason_in_the_comment(tmp_path, github):
    runner = _pr_runner(tmp_path, github, "regressed")
    repo = runner.workspace
    git(repo, "checkout", "-q", runner.payload["pull_request"]["base"]["sha"])
    (repo / "mlgate.yml").write_text("thresholds:\n  latency.p50: fast\n")
    git(repo, "commit", "-q", "-am", "break the config")
    broken_base = git(repo, "rev-parse", "HEAD")
    runner.payload["pull_request"]["base"]["sha"] = broken_base
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "--no-edit", broken_base)
    runner.payload["pull_request"]["head"]["sha"] = git(repo, "rev-parse", "HEAD")
    github.add_pull(7, runner.payload["pull_request"]["head"]["sha"], broken_base)
    done = run_entrypoint(runner)
    assert done.returncode == 2
    assert "latency.p50" in done.stderr
    assert "Traceback" not in done.stderr
    (comment,) = github.comments_on(7)
    assert "latency.p50" in comment["body"]


@pytest.mark.slow
def test_publish_mode_posts_a_validated_fork_artifact_and_refuses_a_stale_one(tmp_path, github):
    gate = _pr_runner(tmp_path / "fork", github, "regressed", fork=True)
    gate.inputs["github_token"] = "read-token"
    assert run_entrypoint(gate).returncode == 1
    head_sha = gate.payload["pull_request"]["head"]["sha"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:  # what actions/upload-artifact stores
        for path in (gate.workspace / "mlgate-results").iterdir():
            zipped.write(path, path.name)
    github.add_artifact(555, "mlgate-results", archive.getvalue())

    base_checkout = tmp_path / "publish"
    git(tmp_path, "clone", "-q", f"file://{gate.workspace}", str(base_checkout))
    publish = Runner(
        tmp_path / "publish-runner",
        base_checkout,
        github.base_url,
        "workflow_run",
        workflow_run_event(head_sha, 555, prs=[]),
        inputs={"mode": "publish"},
        sha="0" * 40,
    )
    (tmp_path / "publish-runner").mkdir()
    done = run_entrypoint(publish)
    assert done.returncode == 0, done.stdout + done.stderr
    (comment,) = github.comments_on(7)
    assert "regression in `models/digits.onnx`" in comment["body"]
    assert _check_runs(github)[0]["conclusion"] == "failure"

    github.pulls[7].head_sha = "f" * 40  # the PR moved on: the artifact is stale
    writes = len(github.writes())
    stale = run_entrypoint(publish)
    assert stale.returncode == 2
    assert "refusing to publish" in stale.stderr
    assert len(github.writes()) == writes
