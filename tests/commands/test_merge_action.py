"""commands.merge_action: the Action's merge mode trusts only the event's commits; merged
results of other commits are refused (the end-to-end refusal is in test_trusted_inputs)."""

from __future__ import annotations

import dataclasses

from mlgate.commands.merge_action import trusted_revisions
from mlgate.github.context import PullRequest, RunContext
from tests.commands.matrix_repo import make_repo
from tests.github.actions_runtime import git


def _context(repo, event, pull_request=None) -> RunContext:
    return RunContext(
        event=event,
        repository="o/r",
        api_url="https://api.invalid",
        server_url="https://github.invalid",
        workspace=repo,
        sha="m" * 40,
        actor="dev",
        run_id="5",
        run_attempt="1",
        default_branch="main",
        token="",
        pull_request=pull_request,
    )


def test_a_pull_request_compares_the_merge_base_with_its_head(tmp_path):
    repo = make_repo(tmp_path, allow_missing=False)
    main, head = git(repo, "rev-parse", "main"), git(repo, "rev-parse", "pr")
    git(repo, "checkout", "-q", "main")
    (repo / "later.txt").write_text("main moved on\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "later on main")
    moved = git(repo, "rev-parse", "main")
    pr = PullRequest(3, moved, head, "main", "pr", False)
    assert trusted_revisions(_context(repo, "pull_request", pr), repo) == (main, head)


def test_other_events_have_no_trusted_revisions(tmp_path):
    repo = make_repo(tmp_path, allow_missing=False)
    head = git(repo, "rev-parse", "HEAD")
    pr = PullRequest(3, head, head, "main", "pr", False)
    assert trusted_revisions(_context(repo, "push"), repo) == ("", "")
    assert trusted_revisions(_context(repo, "workflow_run", pr), repo) == ("", "")
    no_pr = dataclasses.replace(_context(repo, "pull_request"), pull_request=None)
    assert trusted_revisions(no_pr, repo) == ("", "")
