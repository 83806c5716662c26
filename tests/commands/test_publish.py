"""Publish mode refuses every artifact it cannot vouch for, with one clear line and no
write call: wrong event, missing, not a zip, no run.json, oversize, not a run document,
another repository, another head SHA, another PR."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pytest

from mlgate.commands.publish import publish, read_artifact
from mlgate.errors import DataError
from mlgate.gate.action_io import ActionInputs, RunnerFiles
from mlgate.github.context import RunContext, WorkflowRun
from mlgate.github.publish import GitHubApi
from mlgate.results.store import dumps
from tests.github.server import FakeGitHub, Served
from tests.render.test_run_comment import run as run_report

HEAD = "e" * 40  # the head SHA of tests.render.test_run_comment.CONTEXT


def zipped(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def report_bytes(**context_changes) -> bytes:
    report = run_report(verdict="neutral")
    context = dataclasses.replace(report.context, **context_changes)
    return dumps(dataclasses.replace(report, context=context)).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a zip", "not a zip file"),
        (zipped(**{"other.json": b"{}"}), "no top-level run.json"),
        (zipped(**{"run.json": b"[1, 2]"}), "top level is not an object"),
        (zipped(**{"run.json": b'{"schema_version": 1, "kind": "x"}'}), "invalid results document"),
        (zipped(**{"run.json": b" " * 101}), "larger than 100 bytes"),
    ],
)
def test_read_artifact_refuses_what_is_not_a_run(data, message):
    with pytest.raises(DataError, match=message):
        read_artifact(data, max_bytes=100)


@pytest.fixture
def github():
    fake = FakeGitHub()
    fake.add_pull(7, HEAD, "b" * 40)
    with Served(fake):
        yield fake
    assert fake.violations == []


def context_for(github, tmp_path, event="workflow_run", head=HEAD, prs=()) -> RunContext:
    return RunContext(
        event=event,
        repository=github.repository,
        api_url=github.base_url,
        server_url="https://github.com",
        workspace=tmp_path,
        sha="0" * 40,
        actor="octocat",
        run_id="2",
        run_attempt="1",
        default_branch="main",
        token="write-token",
        workflow_run=WorkflowRun(555, head, "pull_request", "failure", tuple(prs)),
    )


def publish_with(github, tmp_path, **context):
    factory = lambda ctx: GitHubApi(ctx.api_url, ctx.token, ctx.repository, pace=False)  # noqa: E731
    return publish(
        ActionInputs(mode="publish"),
        context_for(github, tmp_path, **context),
        RunnerFiles(None, None),
        factory,
    )


@pytest.mark.parametrize(
    ("artifact", "context", "message"),
    [
        (None, {}, "has no artifact named 'mlgate-results'"),
        (report_bytes(), {"event": "push"}, "mode: publish runs in a workflow triggered by"),
        (report_bytes(repository="evil/models"), {}, "is for repository 'evil/models'"),
        (report_bytes(head_sha="d" * 40), {}, "is not the triggering run's"),
        (report_bytes(pr_number=None), {}, "names no pull request"),
        (report_bytes(), {"prs": (9,)}, r"names PR #7, but the run belongs to \(9,\)"),
    ],
)
def test_publish_refuses_and_writes_nothing(github, tmp_path, artifact, context, message):
    if artifact is not None:
        github.add_artifact(555, "mlgate-results", zipped(**{"run.json": artifact}))
    with pytest.raises(DataError, match=message):
        publish_with(github, tmp_path, **context)
    assert github.writes() == []


def test_a_valid_artifact_is_posted(github, tmp_path):
    github.add_artifact(555, "mlgate-results", zipped(**{"run.json": report_bytes()}))
    outcome = publish_with(github, tmp_path, prs=(7,))
    assert outcome.exit_code == 0
    assert outcome.verdict == "neutral"
    assert [c["conclusion"] for c in github.check_runs.values()] == ["neutral"]
    assert (tmp_path / "mlgate-results" / "run.json").is_file()
