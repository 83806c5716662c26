"""GitHubApi against the contract server: the sticky comment, check runs, statuses,
artifacts, and what happens when the API fails."""

from __future__ import annotations

import pytest

from mlgate.github.publish import Annotation, CheckOutput, GitHubApi, PublishError
from mlgate.github.retry import RetryPolicy
from tests.github.server import BOT, HUMAN, FakeGitHub, Fault, Served, random_faults

MARKER = "<!-- mlgate:comment v1 -->"
SHA = "a" * 40


@pytest.fixture
def github():
    fake = FakeGitHub()
    fake.add_pull(7, SHA, "b" * 40)
    with Served(fake):
        yield fake
    assert fake.violations == []


def api_for(github, token="write-token", attempts=10) -> GitHubApi:
    waits: list[float] = []
    api = GitHubApi(
        github.base_url,
        token,
        github.repository,
        policy=RetryPolicy(attempts=attempts),
        sleep=waits.append,  # the clock is the edge faked here
        pace=False,
    )
    api.waits = waits  # type: ignore[attr-defined]
    return api


def body(text: str) -> str:
    return f"{MARKER}\n{text}"


def test_first_run_creates_later_runs_update_the_same_comment(github):
    api = api_for(github)
    first = api.upsert_comment(7, body("one"), MARKER)
    second = api.upsert_comment(7, body("two"), MARKER)
    (comment,) = github.comments_on(7)
    assert (first.comment_action, second.comment_action) == ("created", "updated")
    assert comment["body"] == body("two")
    assert first.comment_url == second.comment_url == comment["html_url"]


def test_duplicates_from_earlier_runs_are_removed(github):
    keep = github.add_comment(7, body("old 1"), BOT)
    github.add_comment(7, body("old 2"), BOT)
    published = api_for(github).upsert_comment(7, body("new"), MARKER)
    (comment,) = github.comments_on(7)
    assert comment["id"] == keep
    assert comment["body"] == body("new")
    assert published.duplicates_removed == 1


def test_a_person_pasting_the_marker_cannot_take_the_comment_over(github):
    human = github.add_comment(7, body("I say it passes"), HUMAN)
    api_for(github).upsert_comment(7, body("real result"), MARKER)
    comments = github.comments_on(7)
    assert next(c["id"] for c in comments) == human
    assert comments[0]["body"] == body("I say it passes")  # untouched, not deleted
    assert len(comments) == 2
    assert comments[1]["body"] == body("real result")


def test_paginated_comments_are_all_searched(github):
    for i in range(130):
        github.add_comment(7, f"chatter {i}", HUMAN)
    first = api_for(github).upsert_comment(7, body("one"), MARKER)
    for i in range(20):
        github.add_comment(7, f"more {i}", HUMAN)
    second = api_for(github).upsert_comment(7, body("two"), MARKER)
    assert first.comment_url == second.comment_url
    assert sum(c["body"].startswith(MARKER) for c in github.comments_on(7)) == 1


def test_a_create_that_succeeded_but_answered_502_is_not_repeated(github):
    faults = iter([None, Fault(502, commit=True)])  # list OK, then create commits + 502
    github.faults = lambda method, path: next(faults, None)
    published = api_for(github).upsert_comment(7, body("once"), MARKER)
    assert len(github.comments_on(7)) == 1
    assert published.comment_action == "created"
    assert [r.operation for r in github.log].count("issues/create-comment") == 1


@pytest.mark.parametrize("seed", range(12))
def test_with_30_percent_of_calls_failing_there_is_always_exactly_one_comment(github, seed):
    github.faults = random_faults(0.3, seed)
    api = api_for(github, attempts=12)
    for round_ in range(3):
        api.upsert_comment(7, body(f"round {round_}"), MARKER)
        (comment,) = github.comments_on(7)
        assert comment["body"] == body(f"round {round_}")
    url = api.create_check_run(CheckOutput("gate", SHA, "failure", "t", "s"))
    assert url
    assert all(r["conclusion"] == "failure" for r in github.check_runs.values())


def test_rate_limits_wait_for_retry_after(github):
    faults = iter(
        [
            Fault(429, {"retry-after": "7"}),
            Fault(403, {"retry-after": "3"}, message="secondary rate limit"),
        ]
    )
    github.faults = lambda method, path: next(faults, None)
    api = api_for(github)
    api.upsert_comment(7, body("x"), MARKER)
    assert api.waits[:2] == [7.0, 3.0]


def test_five_xx_backs_off_exponentially_then_gives_up_with_a_clear_error(github):
    github.faults = lambda method, path: Fault(503)
    api = api_for(github, attempts=4)
    with pytest.raises(PublishError, match=r"listing the pull request's comments failed: HTTP 503"):
        api.upsert_comment(7, body("x"), MARKER)
    assert api.waits == [1.0, 2.0, 4.0]


def test_a_lasting_rate_limit_says_where_the_quota_stands(github):
    github.faults = lambda method, path: (
        None if path == "/rate_limit" else Fault(429, {"retry-after": "0"}, message="Too many")
    )
    with pytest.raises(PublishError, match=r"HTTP 429.*API quota: 4990/5000 left") as caught:
        api_for(github, attempts=3).upsert_comment(7, body("x"), MARKER)
    assert caught.value.status == 429
    assert [r.operation for r in github.log][-1] == "rate-limit/get"


def test_bad_token_is_one_clear_line(github):
    with pytest.raises(PublishError, match="HTTP 401: Bad credentials; the token was rejected"):
        api_for(github, token="wrong").upsert_comment(7, body("x"), MARKER)


def test_annotations_go_in_batches_of_50(github):
    notes = [Annotation("models/a.onnx", f"problem {i}", "t") for i in range(120)]
    api_for(github).create_check_run(
        CheckOutput("gate", SHA, "failure", "t", "s", annotations=notes)
    )
    (run_id,) = github.check_runs
    assert len(github.annotations[run_id]) == 120
    operations = [r.operation for r in github.log]
    assert operations == ["checks/create", "checks/update", "checks/update"]


def test_without_checks_permission_the_403_is_reported_for_a_status_fallback(github):
    api = api_for(github, token="no-checks-token")
    with pytest.raises(PublishError, match="HTTP 403"):
        api.create_check_run(CheckOutput("gate", SHA, "success", "t", "s"))
    api.create_status(SHA, "success", "x" * 300, "gate", "")
    (status,) = github.statuses
    assert len(status["description"]) == 140  # GitHub's limit


def test_artifact_download_follows_the_redirect_without_the_token(github):
    github.add_artifact(99, "mlgate-results", b"zip bytes")
    api = api_for(github)
    ref = api.run_artifact(99, "mlgate-results")
    assert ref is not None
    assert api.download(ref.download_url, 1024) == b"zip bytes"
    assert github.leaked_auth == []
    assert api.run_artifact(99, "other-name") is None
    with pytest.raises(PublishError, match="larger than"):
        api.download(ref.download_url, 4)


def test_a_create_answered_too_slowly_is_reconciled_not_repeated(github):
    slow = iter([None, Fault(delay=2.0)])  # list OK; the create is made, the answer is late
    github.faults = lambda method, path: next(slow, None)
    api = GitHubApi(
        github.base_url,
        "write-token",
        github.repository,
        timeout=1,
        pace=False,
        sleep=lambda s: None,
    )
    published = api.upsert_comment(7, body("once"), MARKER)
    assert published.comment_action == "created"
    assert len(github.comments_on(7)) == 1
