"""gate.github_report: the Action's report reaches GitHub (a comment, a check run or a
commit status) through the contract server, and a read-only run says where it went instead."""

from __future__ import annotations

from mlgate.gate.action_io import ActionInputs
from mlgate.gate.github_report import publish_report, read_only_note
from mlgate.github.context import PullRequest, RunContext
from tests.github.test_publish import api_for, github  # noqa: F401 (github: a fixture)
from tests.render.test_run_comment import run as run_report


def _context(github, tmp_path, token: str, **changes) -> RunContext:  # noqa: F811 (the fixture)
    return RunContext(
        event="pull_request",
        repository=github.repository if github else "o/r",
        api_url=github.base_url if github else "https://api.invalid",
        server_url="https://github.example.invalid",
        workspace=tmp_path,
        sha="m" * 40,
        actor="octocat",
        run_id="1",
        run_attempt="1",
        default_branch="main",
        token=token,
        **changes,
    )


def test_where_checks_are_not_permitted_a_commit_status_is_set(github, tmp_path):  # noqa: F811
    report = run_report(verdict="neutral")
    context = _context(github, tmp_path, "no-checks-token")
    published = publish_report(
        report, "body", ActionInputs(), context, api_for(github, token="no-checks-token")
    )
    assert published.status_posted
    (status,) = github.statuses
    assert status["sha"] == report.context.head_sha
    assert (status["state"], status["context"]) == ("success", "ml-efficiency-gate")
    assert "checks: write" in published.warnings[0]


def test_a_read_only_run_says_why_and_where_the_results_are(tmp_path):
    no_token = read_only_note(_context(None, tmp_path, ""))
    assert no_token.startswith("::notice title=mlgate%3A read-only run::no github_token: ")
    assert "mode: publish" in no_token
    fork = PullRequest(7, "b" * 40, "h" * 40, "main", "feature", True)
    forked = read_only_note(_context(None, tmp_path, "t", pull_request=fork))
    assert "a fork pull request's read-only token" in forked
    assert "\n" not in forked
