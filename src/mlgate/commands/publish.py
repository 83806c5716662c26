"""The GitHub Action, publish mode: post the comment and check run of a fork PR's gate run.

A fork PR's `pull_request` run has a read-only token, so it uploads its results folder as an
artifact; a `workflow_run` workflow (base-branch code, write token) runs this. The artifact
was produced by PR-controlled code, so it is validated before anything is posted: size,
zip layout, schema, repository, PR number and head SHA (which must equal the PR's current
head). The comment is re-rendered here from the results; no Markdown is taken from it."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

from mlgate.errors import DataError
from mlgate.gate.action_io import ActionInputs, ActionOutcome, ApiFactory, RunnerFiles
from mlgate.gate.github_report import (
    publish_report,
)
from mlgate.github import runner
from mlgate.github.context import RunContext
from mlgate.github.publish import GitHubApi
from mlgate.render.environment import COMMENT_LIMIT, render_comment_or_builtin
from mlgate.render.untrusted import literal
from mlgate.results.limits import check_limits
from mlgate.results.schema import RunReport
from mlgate.results.store import parse_json, run_from_dict, write_results

MAX_ARTIFACT_BYTES = 16 * 1024 * 1024
RUN_MEMBER = "run.json"


def read_artifact(data: bytes, max_bytes: int = MAX_ARTIFACT_BYTES) -> RunReport:
    """`run.json` from an artifact zip, refusing bombs, links and anything but plain JSON."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise DataError("results artifact is not a zip file") from None
    with archive:
        member = next((m for m in archive.infolist() if m.filename == RUN_MEMBER), None)
        if member is None:
            raise DataError(
                f"results artifact has no top-level {RUN_MEMBER}: upload the gate's results "
                "folder (`results_path` output) with actions/upload-artifact"
            )
        if member.file_size > max_bytes:
            raise DataError(f"{RUN_MEMBER} in the artifact is larger than {max_bytes} bytes")
        with archive.open(member) as handle:
            content = handle.read(max_bytes + 1)  # the header's size may lie
    document = parse_json(content, f"artifact {RUN_MEMBER}", max_bytes)
    check_limits(document, f"artifact {RUN_MEMBER}")
    return run_from_dict(document, f"artifact {RUN_MEMBER}")


def gate_run_url(context: RunContext) -> str:
    """The gate run's page, built from the trusted event (never taken from the artifact)."""
    run = context.workflow_run
    assert run is not None
    return f"{context.server_url}/{context.repository}/actions/runs/{run.id}"


def _verify(report: RunReport, context: RunContext, api: GitHubApi) -> int:
    """The PR this report may be posted to; raises if anything does not match."""
    run = context.workflow_run
    assert run is not None
    claimed = report.context
    if claimed.repository.lower() != context.repository.lower():
        raise DataError(
            f"artifact is for repository '{literal(claimed.repository, 100)}', not "
            f"{context.repository}"
        )
    if claimed.head_sha != run.head_sha:
        raise DataError(
            f"artifact head SHA {literal(claimed.head_sha[:12])} is not the triggering run's "
            f"{run.head_sha[:12]}: refusing to publish"
        )
    number = claimed.pr_number
    if number is None or number <= 0:
        raise DataError("artifact names no pull request: nothing to publish to")
    if run.pr_numbers and number not in run.pr_numbers:
        raise DataError(f"artifact names PR #{number}, but the run belongs to {run.pr_numbers}")
    pull = api.pull_request(number)
    if pull.head_sha != run.head_sha:
        raise DataError(
            f"PR #{number}'s head is {pull.head_sha[:12]}, not the reported "
            f"{run.head_sha[:12]} (a newer push is being gated, or the artifact is not "
            "this PR's): refusing to publish"
        )
    return number


def publish(
    inputs: ActionInputs, context: RunContext, files: RunnerFiles, api_factory: ApiFactory
) -> ActionOutcome:
    run = context.workflow_run
    if context.event != "workflow_run" or run is None:
        raise DataError(
            "mode: publish runs in a workflow triggered by `workflow_run` (see the "
            "two-workflow recipe in the README); this run is a "
            f"'{context.event}' event"
        )
    api = api_factory(context)
    artifact = api.run_artifact(run.id, inputs.artifact_name)
    if artifact is None:
        raise DataError(
            f"run {run.id} has no artifact named '{inputs.artifact_name}': upload the gate's "
            "results folder with actions/upload-artifact under that name"
        )
    if artifact.expired:
        raise DataError(f"artifact '{inputs.artifact_name}' of run {run.id} has expired")
    if artifact.size > MAX_ARTIFACT_BYTES:
        raise DataError(f"artifact '{inputs.artifact_name}' is larger than 16 MB")
    report = read_artifact(api.download(artifact.download_url, MAX_ARTIFACT_BYTES))
    _verify(report, context, api)
    details = gate_run_url(context)
    report = dataclasses.replace(
        report, context=dataclasses.replace(report.context, run_url=details)
    )
    workspace = context.workspace.resolve()
    results_path = workspace / inputs.results_dir / "run.json"
    write_results(report, results_path)
    log: list[str] = []
    template = _trusted_template(inputs.template, workspace, log)
    body = render_comment_or_builtin(report, COMMENT_LIMIT, details, template, log)
    if files.summary is not None:
        runner.append_summary(files.summary, body)
    published = publish_report(report, body, inputs, context, api, details)
    outcome = ActionOutcome(0, report.verdict, results_path, published.comment_url, report, log)
    outcome.log += published.warnings
    if files.output is not None:
        runner.write_outputs(
            files.output,
            {
                "verdict": report.verdict,
                "results_path": str(results_path),
                "comment_url": published.comment_url,
            },
        )
    return outcome


def _trusted_template(path: str, workspace: Path, log: list[str]) -> str | None:
    """In publish mode the checkout is the default branch (workflow_run runs base code)."""
    if not path:
        return None
    local = workspace / path
    if local.is_file():
        return local.read_text(encoding="utf-8", errors="replace")
    log.append(f"template {path} not found in the checkout; using the built-in comment")
    return None
