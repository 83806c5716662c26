"""The Action's records: its inputs (one typed value each, read by `mlgate.action`), the
runner's files, and the outcome each mode returns; the run context every report carries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mlgate.error_handler import EXIT_PASS, EXIT_REGRESSION
from mlgate.gate.check_request import CheckOutcome
from mlgate.github import checks
from mlgate.github.context import RunContext
from mlgate.github.publish import GitHubApi
from mlgate.results.schema import OnInconclusive, RunContextInfo, RunReport

CommentMode = Literal["changes", "always", "off"]


@dataclass(frozen=True)
class ActionInputs:
    mode: Literal["gate", "publish", "merge"] = "gate"
    config: str = "mlgate.yml"
    models: tuple[str, ...] = ()
    base_ref: str = ""
    targets: tuple[str, ...] = ()
    thresholds: dict[str, str] = field(default_factory=dict)
    comment_mode: CommentMode = "changes"
    fail_on: checks.FailOn = "regression"
    template: str = ""
    results_dir: str = "mlgate-results"
    check_name: str = "ml-efficiency-gate"
    comment_author: str = ""
    artifact_name: str = "mlgate-results"
    budget_seconds: float | None = None
    on_inconclusive: OnInconclusive | None = None  # default: the config's (neutral)
    search_budget: float | None = None  # variant search seconds (None: the bill's; 0: off)
    cache_dir: str = ".mlgate-cache"  # workspace-relative search cache ("": none)
    log_level: Literal["quiet", "normal", "verbose"] = "normal"


@dataclass(frozen=True)
class RunnerFiles:
    output: Path | None  # $GITHUB_OUTPUT
    summary: Path | None  # $GITHUB_STEP_SUMMARY


@dataclass
class ActionOutcome:
    exit_code: int
    verdict: str
    results_path: Path
    comment_url: str = ""
    report: RunReport | None = None
    log: list[str] = field(default_factory=list)  # lines for the front end to print
    error: Exception | None = None


ApiFactory = Callable[[RunContext], GitHubApi]


def exit_code_for(outcome: CheckOutcome, fail_on: checks.FailOn) -> int:
    if outcome.exit_code in (EXIT_PASS, EXIT_REGRESSION):
        regression = outcome.exit_code == EXIT_REGRESSION and fail_on == "regression"
        return EXIT_REGRESSION if regression else EXIT_PASS
    return EXIT_PASS if fail_on == "never" else outcome.exit_code


def context_info(context: RunContext, base: str, head: str) -> RunContextInfo:
    pr = context.pull_request
    return RunContextInfo(
        repository=context.repository,
        event=context.event,
        pr_number=pr.number if pr else _workflow_run_pr(context),
        base_sha=base,
        head_sha=head,
        base_ref=pr.base_ref if pr else "",
        head_ref=pr.head_ref if pr else "",
        run_url=context.run_url,
        fork=bool(pr and pr.fork),
    )


def _workflow_run_pr(context: RunContext) -> int | None:
    run = context.workflow_run
    return run.pr_numbers[0] if run and run.pr_numbers else None
