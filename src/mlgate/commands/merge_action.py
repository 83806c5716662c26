"""The GitHub Action, merge mode: the last job of a target matrix. Merges every matrix
job's `run.json` under `results_dir` into one verdict, then reports it like gate mode (one
sticky comment, one check run, the job summary). Orchestration only.

The targets to expect come from the config at the *base* commit on pull requests, so a pull
request cannot drop a target it fails on. The merged report's context is this job's (event,
PR number, run URL); the commits are the ones every matrix job measured, checked equal."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path

from mlgate import git
from mlgate.commands.action import (
    ActionInputs,
    ActionOutcome,
    ApiFactory,
    RunnerFiles,
    context_info,
    report_everywhere,
)
from mlgate.commands.matrix import GateOptions, gate
from mlgate.compare.compare import fails_check
from mlgate.config import Config, parse_config
from mlgate.error_handler import EXIT_BAD_INPUT, EXIT_PASS, EXIT_REGRESSION
from mlgate.errors import DataError, MlgateError
from mlgate.github.context import PULL_REQUEST_EVENTS, RunContext
from mlgate.results.schema import SCHEMA_VERSION, RunReport
from mlgate.results.store import read_run, write_results

MERGED_FILE = "run.json"  # at the top of results_dir: what publish mode reads from the artifact


def _config(inputs: ActionInputs, context: RunContext, base_sha: str, workspace: Path) -> Config:
    if context.event in PULL_REQUEST_EVENTS and base_sha:
        if not git.file_exists(base_sha, inputs.config, workspace):
            return Config()
        text = git.show_file(base_sha, inputs.config, workspace).decode("utf-8", "replace")
        return parse_config(text, f"{inputs.config} at base {base_sha[:7]}")
    local = workspace / inputs.config
    if not local.is_file():
        return Config()
    return parse_config(local.read_text(encoding="utf-8", errors="replace"), inputs.config)


def _first_base_sha(results_dir: Path, out: Path) -> str:
    for path in sorted(results_dir.rglob("run.json")):
        if path.resolve() != out.resolve():
            return read_run(path).context.base_sha
    return ""


def merge(
    inputs: ActionInputs, context: RunContext, files: RunnerFiles, api_factory: ApiFactory
) -> ActionOutcome:
    workspace = context.workspace.resolve()
    git.trust_directory(workspace)
    results_dir = workspace / inputs.results_dir
    out = results_dir / MERGED_FILE
    try:
        config = _config(inputs, context, _first_base_sha(results_dir, out), workspace)
        report = gate(GateOptions(results_dir, out=out, loaded_config=config)).report
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
