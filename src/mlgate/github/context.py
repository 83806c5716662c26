"""The GitHub Actions run this process is part of: environment, event payload, inputs.

Pure parsing, no network. A payload is PR content and is treated as untrusted: only the
fields read here are used, and they are type-checked."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlgate.errors import ConfigError

SUPPORTED_EVENTS = (
    "pull_request",
    "pull_request_target",
    "push",
    "workflow_dispatch",
    "workflow_run",
)
PULL_REQUEST_EVENTS = ("pull_request", "pull_request_target")
_MAX_EVENT_BYTES = 25 * 1024 * 1024
_ZERO_SHA = "0" * 40
READ_ONLY_ACTORS = ("dependabot[bot]",)  # GitHub gives their pull_request runs read-only tokens


@dataclass(frozen=True)
class PullRequest:
    number: int
    base_sha: str
    head_sha: str
    base_ref: str
    head_ref: str
    fork: bool  # from another repository (or a deleted fork: `head.repo` is null)


@dataclass(frozen=True)
class WorkflowRun:
    id: int
    head_sha: str
    event: str
    conclusion: str
    pr_numbers: tuple[int, ...]  # empty for fork PRs: GitHub does not list them


@dataclass(frozen=True)
class RunContext:
    event: str
    repository: str  # owner/name
    api_url: str
    server_url: str
    workspace: Path
    sha: str  # GITHUB_SHA: on pull_request a merge commit, not the PR's head
    actor: str
    run_id: str
    run_attempt: str
    default_branch: str
    token: str = field(repr=False)
    pull_request: PullRequest | None = None
    workflow_run: WorkflowRun | None = None
    before: str = ""  # push: the previous tip

    @property
    def run_url(self) -> str:
        if not self.run_id:
            return ""
        attempt = f"/attempts/{self.run_attempt}" if self.run_attempt else ""
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}{attempt}"

    @property
    def read_only(self) -> bool:
        """Whether GitHub gave this run a read-only token: fork PRs on `pull_request`
        (and Dependabot's). Such runs make no write calls."""
        if not self.token:
            return True
        if self.event != "pull_request":
            return False
        return bool(self.pull_request and self.pull_request.fork) or self.actor in READ_ONLY_ACTORS

    def revisions(self, base_ref: str = "") -> tuple[str, str]:
        """(base, head) revisions to compare; `base_ref` (an input) overrides the base."""
        pr = self.pull_request
        if pr is not None:
            return base_ref or pr.base_sha, pr.head_sha
        if self.event == "workflow_run" and self.workflow_run is not None:
            return base_ref or self.default_branch, self.workflow_run.head_sha
        if self.event == "push" and not base_ref and self.before and self.before != _ZERO_SHA:
            return self.before, self.sha
        return base_ref or self.default_branch, self.sha


def _require(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise ConfigError(
            f"{name} is not set: this command runs inside GitHub Actions (use `mlgate check` "
            "to gate changes locally)"
        )
    return value


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _text(data: Any, *keys: str) -> str:
    value = _get(data, *keys)
    return value if isinstance(value, str) else ""


def read_event(path: Path) -> dict[str, Any]:
    try:
        size = path.stat().st_size
    except OSError:
        raise ConfigError(f"event payload not found: {path} (GITHUB_EVENT_PATH)") from None
    if size > _MAX_EVENT_BYTES:
        raise ConfigError(f"event payload {path} is larger than 25 MB")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"event payload {path} is not valid JSON: {exc}") from None
    if not isinstance(payload, dict):
        raise ConfigError(f"event payload {path} is not a JSON object")
    return payload


def _pull_request(payload: dict[str, Any]) -> PullRequest | None:
    pr = payload.get("pull_request")
    if not isinstance(pr, dict):
        return None
    number = pr.get("number", payload.get("number"))
    base_sha, head_sha = _text(pr, "base", "sha"), _text(pr, "head", "sha")
    if not isinstance(number, int) or not base_sha or not head_sha:
        raise ConfigError("event payload: pull_request lacks number, base.sha or head.sha")
    base_repo = _text(pr, "base", "repo", "full_name")
    head_repo = _text(pr, "head", "repo", "full_name")  # "" when the fork was deleted
    return PullRequest(
        number=number,
        base_sha=base_sha,
        head_sha=head_sha,
        base_ref=_text(pr, "base", "ref"),
        head_ref=_text(pr, "head", "ref"),
        fork=not head_repo or head_repo.lower() != base_repo.lower(),
    )


def _workflow_run(payload: dict[str, Any]) -> WorkflowRun | None:
    run = payload.get("workflow_run")
    if not isinstance(run, dict):
        return None
    run_id, head_sha = run.get("id"), _text(run, "head_sha")
    if not isinstance(run_id, int) or not head_sha:
        raise ConfigError("event payload: workflow_run lacks id or head_sha")
    prs = run.get("pull_requests")
    numbers = tuple(
        p["number"]
        for p in (prs if isinstance(prs, list) else [])
        if isinstance(_get(p, "number"), int)
    )
    return WorkflowRun(
        id=run_id,
        head_sha=head_sha,
        event=_text(run, "event"),
        conclusion=_text(run, "conclusion"),
        pr_numbers=numbers,
    )


def read_context(env: Mapping[str, str], token: str) -> RunContext:
    """The run described by the runner's `GITHUB_*` variables and the event payload."""
    event = _require(env, "GITHUB_EVENT_NAME")
    if event not in SUPPORTED_EVENTS:
        raise ConfigError(
            f"event '{event}' is not supported; run the gate on: {', '.join(SUPPORTED_EVENTS)}"
        )
    payload = read_event(Path(_require(env, "GITHUB_EVENT_PATH")))
    # set but empty reads as unset: a relative run URL is a details_url/target_url GitHub
    # refuses with 422 ("must use the http or https scheme"), losing the check run
    server = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
    return RunContext(
        event=event,
        repository=_require(env, "GITHUB_REPOSITORY"),
        api_url=(env.get("GITHUB_API_URL") or "https://api.github.com").rstrip("/"),
        server_url=server,
        workspace=Path(env.get("GITHUB_WORKSPACE") or "."),
        sha=_require(env, "GITHUB_SHA"),
        actor=env.get("GITHUB_ACTOR", ""),
        run_id=env.get("GITHUB_RUN_ID", ""),
        run_attempt=env.get("GITHUB_RUN_ATTEMPT", ""),
        default_branch=_text(payload, "repository", "default_branch") or "main",
        token=token,
        pull_request=_pull_request(payload) if event in PULL_REQUEST_EVENTS else None,
        workflow_run=_workflow_run(payload) if event == "workflow_run" else None,
        before=_text(payload, "before"),
    )
