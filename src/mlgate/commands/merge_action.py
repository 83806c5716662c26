"""The GitHub Action, merge mode: the last job of a target matrix. Merges every matrix
job's `run.json` under `results_dir` into one verdict, then reports it like gate mode (one
sticky comment, one check run, the job summary). Orchestration only.

The targets to expect come from the config at the *base* commit on pull requests (the
merge-base of the trusted event's base and head, never a commit an artifact names), so a pull
request cannot drop a target it fails on; results measured against another base are refused.
The merged report's context is this job's (event, PR number, run URL); the commits are the
ones every matrix job measured, checked equal."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path

from mlgate import git
from mlgate.config import Config, parse_config
from mlgate.error_handler import EXIT_BAD_INPUT, EXIT_PASS, EXIT_REGRESSION
from mlgate.errors import DataError, MlgateError
from mlgate.gate.action_io import ActionInputs, ActionOutcome, ApiFactory, RunnerFiles, context_info
from mlgate.gate.files import GateFiles
from mlgate.gate.github_report import report_everywhere
from mlgate.gate.merge import MergeOptions, merge_jobs
from mlgate.github.context import PULL_REQUEST_EVENTS, RunContext
from mlgate.results.schema import SCHEMA_VERSION, RunReport
from mlgate.results.store import write_results
from mlgate.results.verdicts import fails_check

MERGED_FILE = "run.json"  # at the top of results_dir: what publish mode reads from the artifact


def trusted_revisions(context: RunContext, workspace: Path) -> tuple[str, str]:
    """On pull requests, the commits the gate compares, from the event (trusted): the
    merge-base of its base and head (as `mlgate bench` computes it), and the head. Else
    ("", "")."""
    pr = context.pull_request
    if context.event not in PULL_REQUEST_EVENTS or pr is None:
        return "", ""
    head = git.resolve_commit(pr.head_sha, workspace)
    return git.merge_base(git.resolve_commit(pr.base_sha, workspace), head, workspace), head


def _config(inputs: ActionInputs, base_sha: str, workspace: Path) -> Config:
    """The config at the trusted base on pull requests, else the work tree's."""
    files = GateFiles(workspace, base_sha or None)
    text = files.text(inputs.config)
    if text is None:
        return Config()
    where = f"{inputs.config} at base {base_sha[:7]}" if base_sha else inputs.config
    return parse_config(text, where)


def _check_commits(report: RunReport, trusted: tuple[str, str]) -> None:
    """The merged results are of the pull request's own commits, or they are refused."""
    measured = (report.context.base_sha, report.context.head_sha)
    for side, want, got in zip(("base", "head"), trusted, measured, strict=True):
        if want and got and want != got:
            raise DataError(
                f"the matrix jobs measured {side} {got[:12]}, but this pull request's {side} "
                f"is {want[:12]}: rerun the workflow (results of another run were downloaded?)"
            )


def merge(
    inputs: ActionInputs, context: RunContext, files: RunnerFiles, api_factory: ApiFactory
) -> ActionOutcome:
    workspace = context.workspace.resolve()
    git.trust_directory(workspace)
    results_dir = workspace / inputs.results_dir
    out = results_dir / MERGED_FILE
    try:
        trusted = trusted_revisions(context, workspace)
        config = _config(inputs, trusted[0], workspace)
        report = merge_jobs(MergeOptions(results_dir, out=out, loaded_config=config)).report
        _check_commits(report, trusted)
    except MlgateError as exc:  # nothing to merge, or not mergeable: the comment says so
        results_dir.mkdir(parents=True, exist_ok=True)
        report = _error_report(context, str(exc))
        error: MlgateError | None = exc
    else:
        error = _first_error(report)
    report = dataclasses.replace(
        report,
        context=context_info(context, report.context.base_sha, report.context.head_sha),
    )
    write_results(report, out)
    code = {"fail": EXIT_REGRESSION, "error": EXIT_BAD_INPUT}.get(report.verdict, EXIT_PASS)
    if fails_check(report.verdict, report.on_inconclusive) and code == EXIT_PASS:
        code = EXIT_REGRESSION
    if inputs.fail_on == "never" or (inputs.fail_on == "error" and code == EXIT_REGRESSION):
        code = EXIT_PASS
    result = ActionOutcome(code, report.verdict, out, report=report, error=error)
    return report_everywhere(result, results_dir, inputs, context, files, api_factory)


def _first_error(report: RunReport) -> MlgateError | None:
    """The first error of the merged run, for the one line on stderr."""
    messages = [*report.errors]
    for results in report.results:
        messages += [f"{results.model}: {e}" for e in results.errors]
        messages += [f"{results.model} on {t.name}: {t.error}" for t in results.targets if t.error]
    return DataError(messages[0]) if messages and report.verdict == "error" else None


def _error_report(context: RunContext, message: str) -> RunReport:
    return RunReport(
        schema_version=SCHEMA_VERSION,
        kind="mlgate-run",
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        verdict="error",
        context=context_info(context, "", context.revisions()[1]),
        config_source="",
        errors=[" ".join(message.split())],
    )
