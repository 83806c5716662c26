"""All GitHub REST calls, through PyGithub: the sticky comment, the check run, the commit
status, pull requests and artifacts. The only module that talks to the network.

Every call goes through `retry.with_retries`; creates are reconciled before they are
repeated, so a create that succeeded but answered 502 never leaves a duplicate comment."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar

import requests
from github import Auth, Github, GithubException
from github.CheckRun import CheckRun
from github.IssueComment import IssueComment
from github.Repository import Repository

from mlgate import __version__
from mlgate.errors import MlgateError
from mlgate.github.retry import RetriesExhausted, RetryPolicy, with_retries

T = TypeVar("T")
_USER_AGENT = f"ml-efficiency-gate/{__version__}"
ANNOTATIONS_PER_REQUEST = 50
CHECK_TEXT_LIMIT = 65_535
STATUS_DESCRIPTION_LIMIT = 140


class PublishError(MlgateError):
    """A GitHub API call failed for good (permissions, credentials, or still failing)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status GitHub answered with, when there was one


@dataclass(frozen=True)
class Annotation:
    path: str
    message: str
    title: str
    level: str = "failure"  # notice | warning | failure
    line: int = 1

    def as_api(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "start_line": self.line,
            "end_line": self.line,
            "annotation_level": self.level,
            "title": self.title[:255],
            "message": self.message[:60_000],
        }


@dataclass(frozen=True)
class CheckOutput:
    name: str
    head_sha: str
    conclusion: str  # success | failure | neutral
    title: str
    summary: str
    details_url: str = ""
    annotations: list[Annotation] = field(default_factory=list)


@dataclass(frozen=True)
class PullInfo:
    number: int
    head_sha: str
    state: str


@dataclass(frozen=True)
class ArtifactRef:
    id: int
    size: int
    expired: bool
    download_url: str


@dataclass
class Published:
    comment_url: str = ""
    comment_action: str = ""  # created | updated
    duplicates_removed: int = 0
    check_url: str = ""
    status_posted: bool = False
    warnings: list[str] = field(default_factory=list)


_HINTS = {
    401: "the token was rejected: check the `github_token` input",
    403: (
        "the token lacks permission: grant `pull-requests: write` and `checks: write` in the "
        "workflow (fork pull requests get read-only tokens: use the publish workflow)"
    ),
    404: "not found: check the repository, the pull request number and the token's access",
    410: "gone: the pull request or its comments are no longer available",
    422: "GitHub rejected the request",
}


def _explain(what: str, exc: BaseException) -> PublishError:
    last = exc.last if isinstance(exc, RetriesExhausted) else exc
    if isinstance(last, GithubException):
        data = last.data if isinstance(last.data, dict) else {}
        message = str(data.get("message", "")).strip()
        hint = _HINTS.get(last.status, "")
        detail = f"HTTP {last.status}{': ' + message if message else ''}"
        text = f"{what} failed: {detail}{'; ' + hint if hint else ''}"
    else:
        text = f"{what} failed: {type(last).__name__}: {last}"
    if isinstance(exc, RetriesExhausted):
        text += f" ({exc})"
    status = last.status if isinstance(last, GithubException) else None
    return PublishError(" ".join(text.split()), status)


class GitHubApi:
    """One repository on one GitHub (or GitHub Enterprise) API, with retries."""

    def __init__(
        self,
        api_url: str,
        token: str,
        repository: str,
        *,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        timeout: int = 30,
        pace: bool = True,
    ) -> None:
        self._github = Github(
            auth=Auth.Token(token) if token else None,
            base_url=api_url,
            timeout=timeout,
            retry=0,  # this module owns retries (see retry.py)
            per_page=100,
            user_agent=_USER_AGENT,
            seconds_between_requests=0.25 if pace else None,
            seconds_between_writes=1.0 if pace else None,
            lazy=True,  # no request until a value is needed: no GET before each write
        )
        self._repo = self._github.get_repo(repository)
        self._token = token
        self._timeout = timeout
        self._policy = policy or RetryPolicy()
        self._sleep = sleep
        self._clock = clock

    @property
    def repo(self) -> Repository:
        return self._repo

    def call(
        self, what: str, action: Callable[[], T], reconcile: Callable[[], T | None] | None = None
    ) -> T:
        """`action` with this API's retries; a final failure is one `PublishError` line."""
        return self._call(what, action, reconcile)

    def _call(
        self, what: str, action: Callable[[], T], reconcile: Callable[[], T | None] | None = None
    ) -> T:
        try:
            return with_retries(action, self._policy, self._sleep, self._clock, reconcile)
        except (GithubException, RetriesExhausted, requests.RequestException) as exc:
            error = _explain(what, exc)
            if error.status in (403, 429):
                quota = self.rate_limit_note()  # is it the quota, or a permission?
                error = PublishError(f"{error} ({quota})", error.status) if quota else error
            raise error from None

    # ---- the sticky comment ------------------------------------------------------------

    def _marked(self, number: int, marker: str, author: str) -> list[IssueComment]:
        def listing() -> list[IssueComment]:
            comments = self._repo.get_issue(number).get_comments()
            return [c for c in comments if _ours(c, marker, author)]

        return self._call("listing the pull request's comments", listing)

    def upsert_comment(
        self, number: int, body: str, marker: str, author: str = "", create: bool = True
    ) -> Published:
        """Exactly one comment carrying `marker`: the oldest is updated, any others deleted.
        With `create=False` only an earlier run's comment is updated (none: nothing posted).

        Only comments by `author` (default: any bot) count, so a person who pastes the marker
        cannot take the comment over."""
        published = Published()
        existing = self._marked(number, marker, author)
        if not existing and not create:
            return published
        if existing:
            keep = existing[0]
            self._call("updating the PR comment", lambda: keep.edit(body))
            published.comment_action = "updated"
        else:

            def reconcile() -> IssueComment | None:
                found = self._marked(number, marker, author)
                return found[0] if found else None

            keep = self._call(
                "creating the PR comment",
                lambda: self._repo.get_issue(number).create_comment(body),
                reconcile,
            )
            if keep.body != body:  # reconciled onto an older copy
                self._call("updating the PR comment", lambda: keep.edit(body))
            published.comment_action = "created"
            existing = self._marked(number, marker, author)
        for extra in [c for c in existing if c.id != keep.id]:
            self._call("deleting a duplicate PR comment", functools.partial(_delete, extra))
            published.duplicates_removed += 1
        published.comment_url = keep.html_url
        return published

    # ---- check run and commit status -----------------------------------------------------

    def create_check_run(self, check: CheckOutput) -> str:
        """A completed check run; annotations beyond 50 go in follow-up updates."""
        batches = list(_batches(check.annotations)) or [[]]
        output = {"title": check.title[:255], "summary": check.summary[:CHECK_TEXT_LIMIT]}
        extra: dict[str, Any] = {"details_url": check.details_url} if check.details_url else {}
        run = self._call(
            "creating the check run",
            lambda: self._repo.create_check_run(
                name=check.name,
                head_sha=check.head_sha,
                status="completed",
                conclusion=check.conclusion,
                completed_at=datetime.now(timezone.utc),
                output={**output, "annotations": [a.as_api() for a in batches[0]]},
                **extra,
            ),
        )
        for batch in batches[1:]:
            self._call(
                "adding check-run annotations",
                functools.partial(_edit_output, run, output, batch),
            )
        return run.html_url or ""

    def create_status(self, sha: str, state: str, description: str, context: str, url: str) -> None:
        extra = {"target_url": url} if url else {}
        self._call(
            "setting the commit status",
            lambda: self._repo.get_commit(sha).create_status(
                state=state,
                description=description[:STATUS_DESCRIPTION_LIMIT],
                context=context,
                **extra,
            ),
        )

    # ---- reading -------------------------------------------------------------------------

    def pull_request(self, number: int) -> PullInfo:
        pr = self._call(f"reading pull request #{number}", lambda: self._repo.get_pull(number))
        return PullInfo(pr.number, pr.head.sha, pr.state)

    def run_artifact(self, run_id: int, name: str) -> ArtifactRef | None:
        def find() -> ArtifactRef | None:
            for artifact in self._repo.get_workflow_run(run_id).get_artifacts():
                if artifact.name == name:
                    return ArtifactRef(
                        artifact.id,
                        artifact.size_in_bytes,
                        artifact.expired,
                        artifact.archive_download_url,
                    )
            return None

        return self._call(f"listing the artifacts of run {run_id}", find)

    def download(self, url: str, max_bytes: int) -> bytes:
        """An artifact's zip. GitHub answers with a redirect to blob storage on another host;
        the token goes to GitHub only, never to the storage URL. Refuses over `max_bytes`."""

        def fetch() -> bytes:
            answer = requests.get(
                url,
                headers={"Authorization": f"Bearer {self._token}", "User-Agent": _USER_AGENT},
                allow_redirects=False,
                timeout=self._timeout,
            )
            if answer.status_code in (301, 302, 303, 307, 308):
                location = answer.headers.get("location", "")
                answer = requests.get(location, stream=True, timeout=self._timeout)
            if answer.status_code >= 400:
                raise GithubException(
                    answer.status_code, _json_or_none(answer), dict(answer.headers)
                )
            data = bytearray()
            for chunk in answer.iter_content(65536):
                data += chunk
                if len(data) > max_bytes:
                    raise PublishError(f"artifact is larger than {max_bytes // 1024} KiB")
            return bytes(data)

        return self._call("downloading the results artifact", fetch)

    def rate_limit_note(self) -> str:
        """Where the core quota stands, for error messages."""
        try:
            core = self._github.get_rate_limit().resources.core
        except (GithubException, requests.RequestException):
            return ""
        reset = core.reset.astimezone(timezone.utc).strftime("%H:%M UTC")
        return f"API quota: {core.remaining}/{core.limit} left, resets {reset}"


def _ours(comment: IssueComment, marker: str, author: str) -> bool:
    if not (comment.body or "").startswith(marker):
        return False
    user = comment.user
    if author:
        return user is not None and user.login == author
    return user is not None and user.type == "Bot"


def _edit_output(run: CheckRun, output: dict[str, str], batch: list[Annotation]) -> None:
    run.edit(output={**output, "annotations": [a.as_api() for a in batch]})


def _delete(comment: IssueComment) -> None:
    try:
        comment.delete()
    except GithubException as exc:
        if exc.status != 404:  # already gone (an earlier attempt succeeded): fine
            raise


def _batches(annotations: list[Annotation]) -> Iterator[list[Annotation]]:
    for start in range(0, len(annotations), ANNOTATIONS_PER_REQUEST):
        yield annotations[start : start + ANNOTATIONS_PER_REQUEST]


def _json_or_none(answer: requests.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None
