"""gate.action_io: `fail_on` and the run's outcome -> the Action's exit code; the run's
context as the report records it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mlgate.gate.action_io import context_info, exit_code_for
from mlgate.gate.check_request import CheckOutcome
from mlgate.github.context import PullRequest, RunContext, WorkflowRun
from mlgate.results.schema import SCHEMA_VERSION, RunContextInfo, RunReport

REPORT = RunReport(
    SCHEMA_VERSION, "mlgate-run", "2026-11-23T00:00:00+00:00", "pass", RunContextInfo(), "defaults"
)


@pytest.mark.parametrize(
    ("code", "fail_on", "expected"),
    [
        (0, "regression", 0),
        (1, "regression", 1),
        (2, "regression", 2),
        (3, "regression", 3),
        (1, "error", 0),
        (2, "error", 2),
        (1, "never", 0),
        (2, "never", 0),
        (3, "never", 0),
    ],
)
def test_exit_code_for(tmp_path, code, fail_on, expected):
    assert exit_code_for(CheckOutcome(code, REPORT, tmp_path), fail_on) == expected


def _context(**changes) -> RunContext:
    context = RunContext(
        event="pull_request",
        repository="acme/models",
        api_url="https://api.github.com",
        server_url="https://github.com",
        workspace=Path("/ws"),
        sha="m" * 40,
        actor="dev",
        run_id="42",
        run_attempt="2",
        default_branch="main",
        token="t",
        pull_request=PullRequest(7, "b" * 40, "h" * 40, "main", "feature", True),
    )
    return dataclasses.replace(context, **changes)


def test_context_info_records_the_pull_request_and_the_run():
    info = context_info(_context(), "base-sha", "head-sha")
    assert (info.repository, info.event, info.pr_number) == ("acme/models", "pull_request", 7)
    assert (info.base_sha, info.head_sha) == ("base-sha", "head-sha")
    assert (info.base_ref, info.head_ref, info.fork) == ("main", "feature", True)
    assert info.run_url == "https://github.com/acme/models/actions/runs/42/attempts/2"


def test_a_workflow_run_takes_its_pr_number_from_the_triggering_run():
    run = WorkflowRun(9, "h" * 40, "pull_request", "success", (12, 13))
    info = context_info(
        _context(event="workflow_run", pull_request=None, workflow_run=run), "b", "h"
    )
    assert info.pr_number == 12
    assert (info.base_ref, info.fork) == ("", False)


def test_a_push_has_no_pr_number():
    no_prs = WorkflowRun(9, "h" * 40, "push", "success", ())
    assert context_info(_context(event="push", pull_request=None), "b", "h").pr_number is None
    pushed = _context(event="workflow_run", pull_request=None, workflow_run=no_prs)
    assert context_info(pushed, "b", "h").pr_number is None
