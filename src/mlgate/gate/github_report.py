"""Report a run everywhere GitHub shows results: comment.md and the job summary, then the
sticky comment and the check run (or annotations only, with a read-only token), then the
step outputs. The Action's records (inputs, runner files, outcome) live here too: its gate,
merge and publish modes all end by reporting.

Order matters for "nothing is lost": results and the job summary are written before any API
call, so a failing API never hides the verdict, and the exit code never depends on the API."""

from __future__ import annotations

from pathlib import Path

from mlgate import git
from mlgate.error_handler import EXIT_BAD_INPUT, EXIT_PASS
from mlgate.errors import MlgateError
from mlgate.gate.action_io import ActionInputs, ActionOutcome, ApiFactory, RunnerFiles
from mlgate.github import checks, runner
from mlgate.github.context import RunContext
from mlgate.github.publish import (
    CHECK_TEXT_LIMIT,
    Annotation,
    CheckOutput,
    GitHubApi,
    Published,
    PublishError,
)
from mlgate.render.environment import (
    COMMENT_LIMIT,
    render_comment_or_builtin,
    render_run_comment,
)
from mlgate.results.schema import RunReport

MARKER = "<!-- mlgate:comment v1 -->"


def base_template(report: RunReport, path: str, repo: Path, log: list[str]) -> str | None:
    """A user's comment template, read at the *base* commit: a PR cannot change what renders
    its own verdict. Missing there (e.g. added by this PR): the built-in one, with a note."""
    if not path:
        return None
    base = report.context.base_sha
    if base and git.file_exists(base, path, repo):
        return git.show_file(base, path, repo).decode("utf-8", errors="replace")
    log.append(f"template {path} is not on the base branch yet; using the built-in comment")
    return None


def report_everywhere(
    result: ActionOutcome,
    results_dir: Path,
    inputs: ActionInputs,
    context: RunContext,
    files: RunnerFiles,
    api_factory: ApiFactory,
) -> ActionOutcome:
    """comment.md and the job summary first, then the comment and check run (or, with a
    read-only token, annotations only), then the step outputs."""
    report = result.report
    assert report is not None
    workspace = context.workspace.resolve()
    try:
        template = base_template(report, inputs.template, workspace, result.log)
    except MlgateError as exc:  # unreadable at the base commit: the built-in one
        result.log.append(f"{exc}; using the built-in comment")
        template = None
    body = render_comment_or_builtin(report, COMMENT_LIMIT, context.run_url, template, result.log)
    (results_dir / "comment.md").write_text(body, encoding="utf-8")
    if files.summary is not None:
        runner.append_summary(files.summary, render_run_comment(report, runner.SUMMARY_LIMIT))
    if context.read_only:
        result.log.append(read_only_note(context))
        result.log += [_workflow_annotation(a) for a in checks.annotations(report, None)]
    else:
        try:
            published = publish_report(report, body, inputs, context, api_factory(context))
            result.comment_url = published.comment_url
            result.log += published.warnings
        except PublishError as exc:
            result.log.append(runner.command("error", str(exc), title="mlgate: publishing failed"))
            if result.exit_code == EXIT_PASS:
                result.exit_code, result.error = EXIT_BAD_INPUT, exc
    _write_outputs(files, result)
    return result


def read_only_note(context: RunContext) -> str:
    why = "no github_token" if not context.token else "a fork pull request's read-only token"
    return runner.command(
        "notice",
        f"{why}: no comment or check run is posted from this job. The comment and results are "
        "in the job summary and the results folder; upload the folder as an artifact and let "
        "a `workflow_run` workflow post it (mode: publish). The exit code still gates.",
        title="mlgate: read-only run",
    )


def _workflow_annotation(annotation: Annotation) -> str:
    """The same annotation as a workflow command: shown on the PR's diff without a token."""
    level = {"failure": "error", "warning": "warning"}.get(annotation.level, "notice")
    return runner.command(
        level,
        annotation.message,
        file=annotation.path,
        line=annotation.line,
        title=annotation.title,
    )


def publish_report(
    report: RunReport,
    body: str,
    inputs: ActionInputs,
    context: RunContext,
    api: GitHubApi,
    details_url: str | None = None,
) -> Published:
    """The sticky comment (PRs), then the check run (or a commit status where checks are not
    permitted) on the head commit. `details_url`: the run whose job summary has the full
    results (publish mode: the gate run, built from the event), by default this one."""
    details = context.run_url if details_url is None else details_url
    published = Published()
    number = report.context.pr_number
    wants_comment = inputs.comment_mode == "always" or (
        inputs.comment_mode == "changes" and report.verdict != "neutral"
    )
    if number is not None and inputs.comment_mode != "off":
        published = api.upsert_comment(
            number, body, MARKER, inputs.comment_author, create=wants_comment
        )
    check_conclusion = checks.conclusion(report, inputs.fail_on)
    output = CheckOutput(
        name=inputs.check_name,
        head_sha=report.context.head_sha,
        conclusion=check_conclusion,
        title=checks.title(report),
        summary=render_run_comment(report, CHECK_TEXT_LIMIT, details),
        details_url=details,
        annotations=checks.annotations(report, _config_file(inputs, context)),
    )
    try:
        published.check_url = api.create_check_run(output)
    except PublishError as exc:
        if exc.status != 403:
            raise
        api.create_status(
            report.context.head_sha,
            checks.status_state(check_conclusion),
            output.title,
            inputs.check_name,
            details,
        )
        published.status_posted = True
        published.warnings.append(
            runner.command(
                "warning",
                "check runs are not permitted for this token (grant `checks: write`); "
                "a commit status was set instead",
            )
        )
    return published


def _config_file(inputs: ActionInputs, context: RunContext) -> str | None:
    return inputs.config if (context.workspace / inputs.config).is_file() else None


def _write_outputs(files: RunnerFiles, result: ActionOutcome) -> None:
    if files.output is None:
        return
    runner.write_outputs(
        files.output,
        {
            "verdict": result.verdict,
            "results_path": str(result.results_path),
            "comment_url": result.comment_url,
        },
    )
