"""When and how long to wait before repeating a GitHub API call.

Transient: 5xx, 429 and 403 rate limits (primary: wait for `x-ratelimit-reset`; secondary:
honour `retry-after`), timeouts and dropped connections. Everything else is final. PyGithub's
own retries are switched off so that this is the only policy, and creates can be reconciled
(re-listed) before they are repeated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import requests
from github import GithubException

T = TypeVar("T")
SECONDARY_RATE_LIMIT_WAIT = 60.0  # GitHub: "wait at least one minute" without retry-after


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    backoff_seconds: float = 1.0  # doubles per attempt
    max_backoff_seconds: float = 32.0
    max_wait_seconds: float = 300.0  # the longest rate-limit wait before giving up


class RetriesExhausted(Exception):
    """The last error of a call that stayed transient for every attempt, or waited too long."""

    def __init__(self, last: BaseException, reason: str) -> None:
        super().__init__(reason)
        self.last = last


def _header(exc: GithubException, name: str) -> str | None:
    headers = exc.headers or {}
    value = headers.get(name) or headers.get(name.title())
    return str(value) if value is not None else None


def _is_rate_limit_text(exc: GithubException) -> bool:
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message", exc.data)).lower()
    return "rate limit" in message


def delay_for(exc: BaseException, attempt: int, policy: RetryPolicy, now: float) -> float | None:
    """Seconds to wait before attempt `attempt + 1`, or None when `exc` is not transient."""
    backoff: float = min(policy.backoff_seconds * 2**attempt, policy.max_backoff_seconds)
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return backoff
    if not isinstance(exc, GithubException):
        return None
    if exc.status >= 500:
        return backoff
    if exc.status not in (403, 429):
        return None
    retry_after = _header(exc, "retry-after")
    if retry_after is not None:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            return backoff
    if _header(exc, "x-ratelimit-remaining") == "0":
        reset = _header(exc, "x-ratelimit-reset")
        return max(0.0, float(reset) - now) + 1.0 if reset and reset.isdigit() else backoff
    if exc.status == 429 or _is_rate_limit_text(exc):
        return max(backoff, SECONDARY_RATE_LIMIT_WAIT)
    return None  # a 403 that is not a rate limit: permissions


def with_retries(
    action: Callable[[], T],
    policy: RetryPolicy,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
    reconcile: Callable[[], T | None] | None = None,
) -> T:
    """Run `action`, repeating it on transient errors. Before repeating a create, `reconcile`
    looks for what the failed attempt may have made anyway; a non-None result is returned."""
    for attempt in range(policy.attempts):
        try:
            return action()
        except Exception as exc:
            delay = delay_for(exc, attempt, policy, clock())
            if delay is None:
                raise
            if delay > policy.max_wait_seconds:
                raise RetriesExhausted(exc, f"rate limited for {delay:.0f} s") from exc
            if attempt == policy.attempts - 1:
                raise RetriesExhausted(exc, f"still failing after {policy.attempts} tries") from exc
            sleep(delay)
            if reconcile is not None:
                found = reconcile()
                if found is not None:
                    return found
    raise AssertionError("unreachable")  # pragma: no cover
