"""Reading the run from the runner's variables and the event payload."""

from __future__ import annotations

import json

import pytest

from mlgate.errors import ConfigError
from mlgate.github.context import read_context
from tests.github import openapi
from tests.github.actions_runtime import Repo, pull_request_event, workflow_run_event

REPO = Repo(path=None, base_sha="b" * 40, head_sha="h" * 40, merge_sha="m" * 40)  # type: ignore[arg-type]


def env_for(tmp_path, event: str, payload: dict, **extra: str) -> dict[str, str]:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(payload))
    return {
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(path),
        "GITHUB_REPOSITORY": "octo-org/models",
        "GITHUB_SHA": REPO.merge_sha,
        "GITHUB_API_URL": "https://ghe.example.invalid/api/v3/",
        "GITHUB_SERVER_URL": "https://ghe.example.invalid",
        "GITHUB_RUN_ID": "99",
        **extra,
    }


def test_pull_request_compares_the_prs_head_not_the_merge_commit(tmp_path):
    context = read_context(env_for(tmp_path, "pull_request", pull_request_event(REPO)), "t")
    assert context.revisions() == (REPO.base_sha, REPO.head_sha)
    assert context.sha == REPO.merge_sha
    assert context.api_url == "https://ghe.example.invalid/api/v3"  # Enterprise honoured
    assert context.run_url == "https://ghe.example.invalid/octo-org/models/actions/runs/99"
    assert not context.read_only
    assert context.revisions("release") == ("release", REPO.head_sha)


def test_empty_server_and_api_urls_read_as_githubs_not_as_relative_urls(tmp_path):
    env = env_for(tmp_path, "pull_request", pull_request_event(REPO))
    context = read_context({**env, "GITHUB_SERVER_URL": "", "GITHUB_API_URL": ""}, "t")
    assert context.run_url == "https://github.com/octo-org/models/actions/runs/99"
    assert context.api_url == "https://api.github.com"
    assert openapi.is_uri(context.run_url)  # a details_url / target_url GitHub accepts


def test_fork_pull_requests_are_read_only(tmp_path):
    payload = pull_request_event(REPO, fork=True)
    context = read_context(env_for(tmp_path, "pull_request", payload), "t")
    assert context.pull_request.fork
    assert context.read_only
    target = read_context(env_for(tmp_path, "pull_request_target", payload), "t")
    assert not target.read_only  # pull_request_target runs base code with a write token


def test_a_deleted_fork_has_a_null_head_repo_and_counts_as_a_fork(tmp_path):
    payload = pull_request_event(REPO)
    payload["pull_request"]["head"]["repo"] = None  # the real API does this
    context = read_context(env_for(tmp_path, "pull_request", payload), "t")
    assert context.pull_request.fork


def test_dependabot_and_missing_tokens_are_read_only(tmp_path):
    payload = pull_request_event(REPO)
    bot = read_context(
        env_for(tmp_path, "pull_request", payload, GITHUB_ACTOR="dependabot[bot]"), "t"
    )
    assert bot.read_only
    assert read_context(env_for(tmp_path, "pull_request", payload), "").read_only


def test_push_compares_before_and_after(tmp_path):
    payload = {"before": "1" * 40, "after": "2" * 40, "repository": {"default_branch": "trunk"}}
    context = read_context(env_for(tmp_path, "push", payload, GITHUB_SHA="2" * 40), "t")
    assert context.revisions() == ("1" * 40, "2" * 40)
    payload["before"] = "0" * 40  # a new branch: against the default branch
    fresh = read_context(env_for(tmp_path, "push", payload, GITHUB_SHA="2" * 40), "t")
    assert fresh.revisions() == ("trunk", "2" * 40)


def test_workflow_run_reads_head_sha_and_pr_numbers(tmp_path):
    payload = workflow_run_event("c" * 40, 31, prs=[7])
    assert openapi.webhook_errors("workflow-run-completed", payload) == []
    context = read_context(env_for(tmp_path, "workflow_run", payload), "t")
    assert context.workflow_run.head_sha == "c" * 40
    assert context.workflow_run.pr_numbers == (7,)
    assert context.revisions() == ("main", "c" * 40)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"GITHUB_EVENT_NAME": "issues"}, "event 'issues' is not supported"),
        ({"GITHUB_EVENT_NAME": ""}, "GITHUB_EVENT_NAME is not set"),
        ({"GITHUB_EVENT_PATH": "/nonexistent/event.json"}, "event payload not found"),
    ],
)
def test_bad_runner_context_is_one_clear_error(tmp_path, change, message):
    env = {**env_for(tmp_path, "pull_request", pull_request_event(REPO)), **change}
    with pytest.raises(ConfigError, match=message):
        read_context(env, "t")


def test_a_payload_without_shas_is_refused(tmp_path):
    payload = pull_request_event(REPO)
    del payload["pull_request"]["head"]["sha"]
    with pytest.raises(ConfigError, match=r"lacks number, base\.sha or head\.sha"):
        read_context(env_for(tmp_path, "pull_request", payload), "t")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not valid JSON"),
        (b"\xff\xfe", "is not valid JSON"),
        (b"[1, 2]", "is not a JSON object"),
    ],
)
def test_an_unreadable_payload_is_one_clear_error(tmp_path, content, message):
    env = env_for(tmp_path, "push", {})
    (tmp_path / "event.json").write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        read_context(env, "t")


def test_a_huge_payload_is_refused_before_it_is_read(tmp_path):
    env = env_for(tmp_path, "push", {})
    with (tmp_path / "event.json").open("wb") as handle:
        handle.truncate(25 * 1024 * 1024 + 1)  # sparse: nothing is written
    with pytest.raises(ConfigError, match="is larger than 25 MB"):
        read_context(env, "t")


def test_a_workflow_run_payload_without_an_id_is_refused(tmp_path):
    payload = workflow_run_event("c" * 40, 31, prs=[7])
    payload["workflow_run"]["id"] = "not a number"
    with pytest.raises(ConfigError, match="workflow_run lacks id or head_sha"):
        read_context(env_for(tmp_path, "workflow_run", payload), "t")


def test_a_push_without_a_run_id_has_no_run_url_and_compares_with_the_default_branch(tmp_path):
    env = {**env_for(tmp_path, "push", {"repository": {"default_branch": "trunk"}})}
    env["GITHUB_RUN_ID"] = ""
    context = read_context(env, "t")
    assert context.run_url == ""
    assert context.pull_request is None
    assert context.workflow_run is None
    assert context.revisions() == ("trunk", REPO.merge_sha)
    assert context.revisions("v1.0") == ("v1.0", REPO.merge_sha)
