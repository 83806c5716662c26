"""When to retry a GitHub call, and for how long to wait: literal cases."""

from __future__ import annotations

import pytest
import requests
from github import GithubException

from mlgate.github.retry import (
    SECONDARY_RATE_LIMIT_WAIT,
    RetriesExhausted,
    RetryPolicy,
    delay_for,
    with_retries,
)

POLICY = RetryPolicy(attempts=4, backoff_seconds=1.0, max_backoff_seconds=4.0, max_wait_seconds=90)


def error(status: int, message: str = "", **headers: str) -> GithubException:
    return GithubException(status, {"message": message}, headers)


@pytest.mark.parametrize(
    ("exc", "attempt", "expected"),
    [
        (error(502), 0, 1.0),
        (error(500), 2, 4.0),
        (error(503), 5, 4.0),  # capped
        (requests.ConnectionError(), 1, 2.0),
        (requests.Timeout(), 0, 1.0),
        (error(429, **{"retry-after": "12"}), 0, 12.0),
        (error(403, "secondary rate limit", **{"retry-after": "3"}), 0, 3.0),
        (error(403, "You have exceeded a secondary rate limit"), 0, SECONDARY_RATE_LIMIT_WAIT),
        (error(403, "", **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1060"}), 0, 61.0),
        (error(403, "Resource not accessible by integration"), 0, None),
        (error(404), 0, None),
        (error(422), 0, None),
        (ValueError("a bug"), 0, None),
    ],
)
def test_delay_for(exc, attempt, expected):
    assert delay_for(exc, attempt, POLICY, now=1000.0) == expected


def test_retries_until_success_and_records_waits():
    calls, waits = [], []

    def flaky():
        calls.append(1)
        if len(calls) < 3:
            raise error(502)
        return "done"

    assert with_retries(flaky, POLICY, waits.append, lambda: 0.0) == "done"
    assert waits == [1.0, 2.0]


def test_gives_up_after_the_last_attempt():
    waits = []
    with pytest.raises(RetriesExhausted, match="still failing after 4 tries"):
        with_retries(lambda: (_ for _ in ()).throw(error(500)), POLICY, waits.append, lambda: 0)
    assert len(waits) == 3


def test_a_reset_too_far_away_is_not_waited_for():
    far = error(403, "", **{"x-ratelimit-remaining": "0", "x-ratelimit-reset": "5000"})
    with pytest.raises(RetriesExhausted, match="rate limited for 4001 s"):
        with_retries(lambda: (_ for _ in ()).throw(far), POLICY, lambda s: None, lambda: 1000.0)


def test_reconcile_returns_what_the_failed_create_made():
    created = []

    def create():
        created.append("comment")  # the server made it, then the answer was lost
        raise error(502)

    result = with_retries(create, POLICY, lambda s: None, lambda: 0, lambda: created[0])
    assert result == "comment"
    assert created == ["comment"]


def test_permanent_errors_are_raised_at_once():
    waits = []
    with pytest.raises(GithubException):
        with_retries(lambda: (_ for _ in ()).throw(error(401)), POLICY, waits.append, lambda: 0)
    assert waits == []
