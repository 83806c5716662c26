"""Publish mode posts what a fork PR's code wrote: every attack through the artifact's text
and URLs is replayed against the contract server, through the comment (long enough to be
truncated), the check run's summary, title and annotations, the job summary and the commit
status. None of it may link, mention, bold or inject HTML, and the only link is the one
built from the event. Oversized artifacts are refused with one line and no write call."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from mlgate.commands.publish import publish
from mlgate.errors import DataError
from mlgate.gate.action_io import ActionInputs, RunnerFiles
from mlgate.github.context import RunContext, WorkflowRun
from mlgate.github.publish import GitHubApi
from mlgate.results.schema import ModelChange
from mlgate.results.store import dumps
from tests.commands.test_publish import HEAD, zipped
from tests.github.actions_runtime import git
from tests.github.server import FakeGitHub, Served
from tests.render.sample import sample_results
from tests.render.test_run_comment import run as run_report

EVIL_URL = "https://github.com.evil.example/octo-org/models/actions/runs/1"
EVIL = f"x\n**bold** @admin <img src=x onerror=alert(1)> [click]({EVIL_URL}) #12"
RUN_ID = 555


def hostile_report(notes: int = 40, note_size: int = 2_000):
    """Artifact text everywhere the comment shows text, and enough of it to be truncated."""
    results = sample_results(fail=True)
    target = results.targets[0]
    metrics = [
        dataclasses.replace(m, notes=(EVIL,), eval_metric=EVIL, threshold="+5% " + EVIL)
        for m in target.metrics
    ]
    target = dataclasses.replace(
        target, name="cpu " + EVIL, error=EVIL, notes=[EVIL], metrics=metrics
    )
    results = dataclasses.replace(
        results, model="models/" + EVIL, errors=[EVIL], targets=[target], reproduce=EVIL
    )
    report = run_report(
        results,
        changes=[ModelChange("models/new " + EVIL, "added", gated=False, reason=EVIL)],
        notes=[(EVIL + " ") * (note_size // len(EVIL))] * notes,
        errors=[EVIL],
    )
    context = dataclasses.replace(report.context, run_url=EVIL_URL, base_ref=EVIL)
    return dataclasses.replace(report, context=context, config_source="mlgate.yml " + EVIL)


@pytest.fixture
def github():
    fake = FakeGitHub()
    fake.add_pull(7, HEAD, "b" * 40)
    with Served(fake):
        yield fake
    assert fake.violations == []


@pytest.fixture
def workspace(tmp_path):
    """The default branch's checkout, as a `workflow_run` job has it."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "mlgate.yml").write_text("thresholds:\n  latency.p50: +5%\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def publish_artifact(github, workspace, data: bytes, summary=None):
    github.add_artifact(RUN_ID, "mlgate-results", zipped(**{"run.json": data}))
    context = RunContext(
        event="workflow_run",
        repository=github.repository,
        api_url=github.base_url,
        server_url="https://github.com",
        workspace=workspace,
        sha="0" * 40,
        actor="octocat",
        run_id="2",
        run_attempt="1",
        default_branch="main",
        token="write-token",
        workflow_run=WorkflowRun(RUN_ID, HEAD, "pull_request", "failure", (7,)),
    )
    factory = lambda ctx: GitHubApi(ctx.api_url, ctx.token, ctx.repository, pace=False)  # noqa: E731
    return publish(ActionInputs(mode="publish"), context, RunnerFiles(None, summary), factory)


def outside_code_spans(markdown: str) -> str:
    """Inline code shows text as it is (no HTML, no emphasis, no link); the rest renders."""
    return re.sub(r"`[^`\n]*`", "", markdown)


def assert_inert(markdown: str, trusted_url: str) -> None:
    assert "https://github.com.evil" not in markdown  # not even as link text in code
    assert "@admin" not in markdown
    rendered = outside_code_spans(markdown)
    assert set(re.findall(r"(?<!\\)\]\(([^)]*)\)", rendered)) <= {trusted_url}  # links
    assert "<img" not in rendered
    assert "**bold**" not in rendered
    assert "#12" not in rendered
    assert "\n::" not in markdown


def test_artifact_text_and_urls_reach_github_inert_even_when_truncated(github, workspace):
    summary = workspace.parent / "step-summary.md"
    outcome = publish_artifact(github, workspace, dumps(hostile_report()).encode(), summary)
    trusted = f"https://github.com/{github.repository}/actions/runs/{RUN_ID}"
    [comment] = github.comments_on(7)
    body = comment["body"]
    assert "comment truncated" in body  # the path where escaping used to be skipped
    assert f"[job summary]({trusted})" in body
    assert_inert(body, trusted)
    [check] = github.check_runs.values()
    assert check["details_url"] == trusted
    assert "comment truncated" in check["output"]["summary"]
    assert_inert(check["output"]["summary"], trusted)
    assert_inert(summary.read_text(encoding="utf-8"), trusted)
    for text in [check["output"]["title"]] + [
        a[key] for a in github.annotations[check["id"]] for key in ("title", "message")
    ]:
        assert "\n" not in text
        assert "@admin" not in text
    assert any(a["path"] == "mlgate.yml" for a in github.annotations[check["id"]])
    assert outcome.report is not None
    assert outcome.report.context.run_url == trusted  # also in the results written here
    written = json.loads((workspace / "mlgate-results" / "run.json").read_text())
    assert written["context"]["run_url"] == trusted


def test_an_artifact_url_that_looks_like_github_is_never_used(github, workspace):
    report = hostile_report(notes=1, note_size=10)  # short: no truncation
    outcome = publish_artifact(github, workspace, dumps(report).encode())
    trusted = f"https://github.com/{github.repository}/actions/runs/{RUN_ID}"
    [comment] = github.comments_on(7)
    assert "comment truncated" not in comment["body"]
    assert_inert(comment["body"], trusted)
    assert f"[job summary]({trusted})" in comment["body"]
    assert outcome.exit_code == 0


def _with(document: dict, *path_and_value) -> bytes:
    *path, value = path_and_value
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(document).encode()


def _document() -> dict:
    return json.loads(dumps(run_report(sample_results(fail=True), verdict="fail")))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_with(_document(), "notes", ["n"] * 129), r"notes has 129 entries, over the limit of 128"),
        (_with(_document(), "results", [{}] * 513), r"results has 513 entries"),
        (_with(_document(), "results", 0, "model", "m" * 1025), r"results.0.model is 1025 char"),
        (_with(_document(), "errors", ["e" * 8193]), r"errors.0 is 8193 characters long"),
        (
            _with(_document(), "notes", [[[[[[[[[[[[[[[[[[[[[[[[[["x"]]]]]]]]]]]]]]]]]]]]]]]]]]),
            "nested over 24 levels",
        ),
        (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "nested too deeply"),
        (_with(_document(), "context", "pr_number", "seven"), "invalid results document"),
    ],
    ids=["notes", "models", "model-name", "error", "depth", "json-depth", "schema"],
)
def test_an_oversized_or_invalid_artifact_is_refused_with_one_line(
    github, workspace, data, message
):
    with pytest.raises(DataError, match=message) as refused:
        publish_artifact(github, workspace, data)
    assert "\n" not in str(refused.value)
    assert github.writes() == []
    assert not (workspace / "mlgate-results").exists()


def test_what_the_gate_writes_is_well_inside_the_limits():
    from mlgate.results.limits import check_limits
    from tests.render.test_run_comment import two_models

    check_limits(json.loads(dumps(two_models())), "run.json")  # raises if not
    check_limits(_document(), "run.json")
