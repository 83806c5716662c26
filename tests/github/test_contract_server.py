"""The contract server flags what GitHub's REST contract forbids, naming the field: raw HTTP
requests (no client to tidy them up) with a misspelled key, a bad date-time, a bad URI, an
unknown or out-of-range query parameter, a wrong type, a bad path parameter; a well-formed
request passes; a response that breaks the contract is flagged too; and a violation left
behind fails the test that caused it."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from tests.github import openapi
from tests.github.server import FakeGitHub, Served

SHA = "a" * 40
REPO = "/repos/octo-org/models"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    fake = FakeGitHub()
    fake.add_pull(7, SHA, "b" * 40)
    with Served(fake):
        yield fake


def send(github: FakeGitHub, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    """One request over a fresh connection, as bare as `http.client` sends it."""
    address = urllib.parse.urlsplit(github.base_url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
    headers = {"Authorization": "token write-token", "Accept": "application/vnd.github+json"}
    data = None if body is None else json.dumps(body).encode()
    if data is not None:
        headers["Content-Type"] = "application/json"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if raw else None
    finally:
        connection.close()


def check_run(**fields: Any) -> dict[str, Any]:
    return {"name": "mlgate", "head_sha": SHA, **fields}


BAD_REQUESTS = [
    pytest.param(
        "POST", f"{REPO}/check-runs", check_run(conclsion="success"), "'conclsion' was unexpected",
        id="misspelled-key",
    ),
    pytest.param(
        "POST", f"{REPO}/check-runs",
        check_run(output={"title": "t", "summary": "s", "summery": "s"}),
        "'summery' was unexpected", id="misspelled-nested-key",
    ),
    pytest.param(
        "POST", f"{REPO}/check-runs", check_run(conclusion="success", completed_at="yesterday"),
        "completed_at: 'yesterday' is not a 'date-time'", id="date-time-words",
    ),
    pytest.param(
        "PATCH", f"{REPO}/check-runs/1", {"started_at": "2026-02-30T10:00:00Z"},
        "started_at: '2026-02-30T10:00:00Z' is not a 'date-time'", id="date-time-no-such-day",
    ),
    pytest.param(
        "POST", f"{REPO}/check-runs", check_run(completed_at="2026-11-23 10:00:00"),
        "completed_at: '2026-11-23 10:00:00' is not a 'date-time'", id="date-time-no-offset",
    ),
    pytest.param(
        "POST", f"{REPO}/check-runs", check_run(details_url="see the logs"),
        "details_url: 'see the logs' is not a 'uri'", id="uri-words",
    ),
    pytest.param(
        "POST", f"{REPO}/statuses/{SHA}", {"state": "success", "target_url": "ftp://ci/run/1"},
        "target_url: 'ftp://ci/run/1' does not match", id="uri-not-http",
    ),
    pytest.param(
        "GET", f"{REPO}/issues/7/comments?per_page=50&sort=created", None,
        "query sort: not a parameter of issues/list-comments", id="unknown-query-parameter",
    ),
    pytest.param(
        "GET", f"{REPO}/issues/7/comments?per_page=101", None,
        "query per_page: 101 is greater than the maximum of 100", id="per-page-over-100",
    ),
    pytest.param(
        "GET", f"{REPO}/issues/7/comments?page=0", None,
        "query page: 0 is less than the minimum of 1", id="page-under-1",
    ),
    pytest.param(
        "GET", f"{REPO}/issues/7/comments?per_page=ten", None,
        "query per_page: 'ten' is not of type 'integer'", id="query-wrong-type",
    ),
    pytest.param(
        "GET", f"{REPO}/issues/7/comments?since=yesterday", None,
        "query since: 'yesterday' is not a 'date-time'", id="query-date-time",
    ),
    pytest.param(
        "GET", f"{REPO}/issues/7/comments?page=1&page=2", None,
        "query page: given more than once", id="query-repeated",
    ),
    pytest.param(
        "GET", f"{REPO}/pulls/seven", None,
        "path pull_number: 'seven' is not of type 'integer'", id="path-wrong-type",
    ),
    pytest.param(
        "POST", f"{REPO}/issues/7/comments", {"body": 5},
        "body: 5 is not of type 'string'", id="wrong-type",
    ),
    pytest.param(
        "POST", f"{REPO}/check-runs", check_run(status="done"),
        "status: 'done' is not one of", id="unknown-enum-value",
    ),
    pytest.param(
        "POST", f"{REPO}/check-runs", check_run(output={"title": "t", "summary": "x" * 65536}),
        "output/summary: 'xxx", id="too-long",
    ),
    pytest.param(
        "POST", f"{REPO}/issues/7/comments", {}, "'body' is a required property",
        id="required-key-missing",
    ),
    pytest.param(
        "POST", f"{REPO}/releases/1/assets?label=x", None, "query name: required, missing",
        id="required-query-parameter-missing",
    ),
    pytest.param(
        "GET", "/rate_limit?per_page=1", None, "query per_page: not a parameter of rate-limit/get",
        id="query-parameter-of-another-operation",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("method", "path", "body", "flagged"), BAD_REQUESTS)
def test_a_request_that_breaks_the_contract_is_flagged_naming_the_field(
    github: FakeGitHub, method: str, path: str, body: Any, flagged: str
) -> None:
    before = len(github.check_runs) + len(github.comments) + len(github.statuses)
    status, answer = send(github, method, path, body)
    violations = github.take_violations()
    assert any(flagged in v for v in violations), violations
    assert all(" request: " in v for v in violations), violations
    assert status == 422
    assert any(flagged in error for error in answer["errors"])
    assert len(github.check_runs) + len(github.comments) + len(github.statuses) == before


def test_a_well_formed_request_passes(github: FakeGitHub) -> None:
    annotation = {
        "path": "models/model.onnx",
        "start_line": 1,
        "end_line": 1,
        "annotation_level": "failure",
        "message": "p95 latency +12%",
        "title": "latency",
    }
    body = check_run(
        status="completed",
        conclusion="failure",
        started_at="2026-11-23T10:00:00Z",
        completed_at="2026-11-23T10:04:59.250+01:00",
        details_url="https://github.com/octo-org/models/actions/runs/1?check_suite_focus=true",
        external_id="run-1",
        output={"title": "mlgate", "summary": "1 regression", "annotations": [annotation]},
    )  # fmt: skip
    created, run = send(github, "POST", f"{REPO}/check-runs", body)
    listed, comments = send(github, "GET", f"{REPO}/issues/7/comments?per_page=100&page=1")
    state = {"state": "success", "target_url": None, "description": "ok", "context": "mlgate"}
    status, _ = send(github, "POST", f"{REPO}/statuses/{SHA}", state)
    assert (created, listed, status) == (201, 200, 201)
    assert run["conclusion"] == "failure"
    assert comments == []
    assert github.violations == []


def test_a_response_that_breaks_the_contract_is_flagged(github: FakeGitHub) -> None:
    cid = github.add_comment(7, "hello", {"login": "octocat", "id": 1, "type": "User"})
    github.comments[cid]["html_url"] = "not a link"  # the server's own bug
    github.comments[cid]["created_at"] = "yesterday"
    status, _ = send(github, "GET", f"{REPO}/issues/comments/{cid}")
    violations = github.take_violations()
    assert status == 200
    assert any("html_url: 'not a link' is not a 'uri'" in v for v in violations)
    assert any("created_at: 'yesterday' is not a 'date-time'" in v for v in violations)


def test_a_violation_left_behind_fails_the_test() -> None:
    fake = FakeGitHub()
    with pytest.raises(AssertionError, match="'conclsion' was unexpected"), Served(fake):
        send(fake, "POST", f"{REPO}/check-runs", check_run(conclsion="success"))
    assert fake.violations == []  # reported once, by the exit


@pytest.mark.parametrize(
    "value",
    ["2026-11-23T10:00:00Z", "2026-11-23t10:00:00.5z", "2024-02-29T23:59:60+14:00",
     "2026-11-23T10:00:00-05:30"],
)  # fmt: skip
def test_rfc3339_date_times_pass(value: str) -> None:
    assert openapi.is_date_time(value)


@pytest.mark.parametrize(
    "value",
    ["2026-11-23", "2026-11-23T10:00:00", "2026-11-23T24:00:00Z", "2025-02-29T00:00:00Z",
     "2026-11-23T10:00Z", "2026-11-23T10:00:00+0100", "2026-11-23T10:00:00+25:00",
     " 2026-11-23T10:00:00Z"],
)  # fmt: skip
def test_what_rfc3339_forbids_is_not_a_date_time(value: str) -> None:
    assert not openapi.is_date_time(value)


@pytest.mark.parametrize(
    "value",
    ["https://github.com/o/r/pull/7#issuecomment-1", "http://127.0.0.1:8080/a?b=c&d=%20",
     "urn:github-rest-subset", "mailto:octocat@github.com"],
)  # fmt: skip
def test_rfc3986_uris_pass(value: str) -> None:
    assert openapi.is_uri(value)


@pytest.mark.parametrize(
    "value", ["", "/relative/path", "https://exa mple.com/", "https://", "https://x/%zz", "héllo:x"]
)
def test_what_rfc3986_forbids_is_not_a_uri(value: str) -> None:
    assert not openapi.is_uri(value)
