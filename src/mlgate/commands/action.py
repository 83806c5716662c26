"""The GitHub Action, gate mode: gate the models a pull request (or push) changes, then
report everywhere GitHub shows results. A thin adapter: inputs and event to the gate run;
`mlgate.action` is the front end."""

from __future__ import annotations

from mlgate import git
from mlgate.gate.action_io import (
    ActionInputs,
    ActionOutcome,
    ApiFactory,
    RunnerFiles,
    context_info,
    exit_code_for,
)
from mlgate.gate.cache_dir import trusted_cache_dir
from mlgate.gate.changed import check
from mlgate.gate.check_request import CheckOptions
from mlgate.gate.github_report import report_everywhere
from mlgate.github.context import PULL_REQUEST_EVENTS, RunContext
from mlgate.progress import NoProgress, Progress


def gate(
    inputs: ActionInputs,
    context: RunContext,
    files: RunnerFiles,
    api_factory: ApiFactory,
    progress: Progress | None = None,
) -> ActionOutcome:
    progress = progress or NoProgress()
    workspace = context.workspace.resolve()
    git.trust_directory(workspace)
    base, head = context.revisions(inputs.base_ref)
    results_dir = workspace / inputs.results_dir
    outcome = check(
        CheckOptions(
            base=base,
            head=head,
            repo=workspace,
            results_dir=results_dir,
            model_globs=inputs.models,
            config_path=inputs.config,
            config_from="base" if context.event in PULL_REQUEST_EVENTS else "head",
            thresholds=inputs.thresholds,
            targets=inputs.targets,
            budget_seconds=inputs.budget_seconds,
            search_budget=inputs.search_budget,
            cache_dir=trusted_cache_dir(workspace, inputs.cache_dir, head, progress),
            use_merge_base=context.event in PULL_REQUEST_EVENTS or bool(inputs.base_ref),
            on_inconclusive=inputs.on_inconclusive,
            context=context_info(context, base, head),
        ),
        progress,
    )
    report = outcome.report
    result = ActionOutcome(
        exit_code=exit_code_for(outcome, inputs.fail_on),
        verdict=report.verdict,
        results_path=outcome.run_file,
        report=report,
        error=outcome.error,
    )
    return report_everywhere(result, results_dir, inputs, context, files, api_factory)
