"""A local stand-in for api.github.com that holds GitHub's REST contract.

Every request is matched to an operation of the vendored OpenAPI subset; its path and query
parameters and its body are validated strictly (`openapi.parameter_errors`,
`openapi.strict_request`), and a request that breaks the contract is answered 422 without
being performed. Every JSON response is built from the schemas and validated before it is
sent. Contract breaks are collected in `violations`; leaving `Served` with any left fails
the test (a test that breaks the contract on purpose takes them with `take_violations`). URLs in
responses point back at this server, as PyGithub follows them. Faults can be injected:
5xx, 403/429 rate limits with `retry-after`, slow responses, and creates that succeed but
answer 502 (the case that duplicates comments)."""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.github import openapi

WRITE_METHODS = {"POST", "PATCH", "PUT", "DELETE"}
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
HUMAN = {"login": "octocat", "id": 583231, "type": "User"}


@dataclass(frozen=True)
class Fault:
    status: int = 502
    headers: dict[str, str] = field(default_factory=dict)
    commit: bool = False  # perform the operation, then answer with the fault
    delay: float = 0.0  # sleep before answering (a slow or timed-out response)
    message: str = "Server Error"


TRANSIENT_FAULTS = (
    Fault(500),
    Fault(502),
    Fault(503, message="Service Unavailable"),
    Fault(502, commit=True),
    Fault(
        403,
        {"retry-after": "0"},
        message="You have exceeded a secondary rate limit. Please wait a few minutes.",
    ),
    Fault(429, {"retry-after": "0"}, message="Too Many Requests"),
)


def random_faults(rate: float, seed: int) -> Callable[[str, str], Fault | None]:
    """Each API request fails with probability `rate`, with one of the transient faults."""
    rng = random.Random(seed)

    def decide(method: str, path: str) -> Fault | None:
        if rng.random() >= rate:
            return None
        return rng.choice(TRANSIENT_FAULTS)

    return decide


@dataclass
class Record:
    method: str
    path: str
    operation: str
    status: int
    token: str
    fault: bool


@dataclass
class PullState:
    number: int
    head_sha: str
    base_sha: str
    head_ref: str = "feature"
    base_ref: str = "main"
    state: str = "open"


class FakeGitHub:
    """State and behaviour; `serve()` puts it on a local port."""

    def __init__(self, repository: str = "octo-org/models") -> None:
        self.owner, self.repo = repository.split("/")
        self.repository = repository
        self.tokens = {"write-token": "write", "read-token": "read", "no-checks-token": "no-checks"}
        self.pulls: dict[int, PullState] = {}
        self.comments: dict[int, dict[str, Any]] = {}  # id -> issue-comment
        self.comment_issue: dict[int, int] = {}
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.annotations: dict[int, list[dict[str, Any]]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.artifacts: dict[int, tuple[str, int, bytes]] = {}  # id -> (name, run id, zip)
        self.releases: dict[int, dict[str, Any]] = {}  # id -> release (assets kept apart)
        self.assets: dict[int, tuple[int, dict[str, Any], bytes]] = {}  # id -> (release, …)
        self.log: list[Record] = []
        self.violations: list[str] = []
        self.leaked_auth: list[str] = []
        self.faults: Callable[[str, str], Fault | None] = lambda method, path: None
        self.base_url = ""
        self._ids = 1000
        self._lock = threading.RLock()

    # ---- test set-up and inspection ------------------------------------------------------

    def add_pull(self, number: int, head_sha: str, base_sha: str) -> None:
        self.pulls[number] = PullState(number, head_sha, base_sha)

    def add_artifact(self, run_id: int, name: str, data: bytes) -> int:
        self._ids += 1
        self.artifacts[self._ids] = (name, run_id, data)
        return self._ids

    def add_comment(self, number: int, body: str, user: dict[str, Any]) -> int:
        with self._lock:
            return self._create_comment(number, body, user)["id"]

    def comments_on(self, number: int) -> list[dict[str, Any]]:
        return [c for i, c in sorted(self.comments.items()) if self.comment_issue[i] == number]

    def writes(self) -> list[Record]:
        return [r for r in self.log if r.method in WRITE_METHODS]

    def api_requests(self) -> list[Record]:
        return [r for r in self.log if r.operation != "blob"]

    # ---- helpers -------------------------------------------------------------------------

    def _next_id(self) -> int:
        self._ids += 1
        return self._ids

    def _repo_url(self) -> str:
        return f"{self.base_url}/repos/{self.owner}/{self.repo}"

    def _html(self, path: str) -> str:
        return f"{self.base_url}/_html/{self.owner}/{self.repo}/{path}"

    def _user(self, user: dict[str, Any]) -> dict[str, Any]:
        return openapi.build(
            "simple-user",
            login=user["login"],
            id=user["id"],
            type=user["type"],
            url=f"{self.base_url}/users/{urllib.parse.quote(user['login'])}",
            html_url=f"{self.base_url}/_html/{urllib.parse.quote(user['login'])}",
        )

    def _create_comment(self, number: int, body: str, user: dict[str, Any]) -> dict[str, Any]:
        cid = self._next_id()
        comment = openapi.build(
            "issue-comment",
            id=cid,
            body=body,
            user=self._user(user),
            url=f"{self._repo_url()}/issues/comments/{cid}",
            html_url=self._html(f"pull/{number}#issuecomment-{cid}"),
            issue_url=f"{self._repo_url()}/issues/{number}",
            author_association="NONE",
        )
        self.comments[cid] = comment
        self.comment_issue[cid] = number
        return comment

    def _pull(self, state: PullState) -> dict[str, Any]:
        def branch(ref: str, sha: str) -> dict[str, Any]:
            return {"ref": ref, "sha": sha, "label": f"{self.owner}:{ref}"}

        return openapi.build(
            "pull-request",
            number=state.number,
            state=state.state,
            url=f"{self._repo_url()}/pulls/{state.number}",
            html_url=self._html(f"pull/{state.number}"),
            issue_url=f"{self._repo_url()}/issues/{state.number}",
            comments_url=f"{self._repo_url()}/issues/{state.number}/comments",
            head=branch(state.head_ref, state.head_sha),
            base=branch(state.base_ref, state.base_sha),
        )

    # ---- dispatch ------------------------------------------------------------------------

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes, float]:
        parsed = urllib.parse.urlsplit(raw_path)
        pairs = urllib.parse.parse_qsl(parsed.query, keep_blank_values=True)
        path, query = parsed.path, dict(pairs)
        if path.startswith("/_blobs/"):
            return self._blob(path, headers)
        found = openapi.find_operation(method, path)
        if found is None:
            self._violate([f"{method} {path}: not an operation of the contract"])
            self.log.append(Record(method, path, "unknown", 404, "", False))
            return _json(404, {"message": "Not Found"})
        operation, args = found
        token = _token(headers)
        payload, problems = _payload(operation, headers, body)
        problems += openapi.parameter_errors(operation, args, pairs)
        if problems:  # GitHub answers 422 to much of this; the test fails either way
            self._violate([f"{operation.operation_id} request: {p}" for p in problems])
            self.log.append(Record(method, path, operation.operation_id, 422, token, False))
            return _json(422, {"message": "Validation Failed", "errors": problems})
        with self._lock:
            fault = self.faults(method, path)
            status, extra, data = self._respond(operation, args, query, token, payload, fault)
        self.log.append(
            Record(method, path, operation.operation_id, status, token, fault is not None)
        )
        delay = fault.delay if fault else 0.0
        return status, extra, data, delay

    def _violate(self, problems: list[str]) -> None:
        with self._lock:
            self.violations.extend(problems)

    def take_violations(self) -> list[str]:
        """The violations so far, which are then no longer held against the test (for tests
        that break the contract on purpose)."""
        with self._lock:
            taken, self.violations[:] = list(self.violations), []
            return taken

    def _respond(
        self,
        operation: openapi.Operation,
        args: tuple[str, ...],
        query: dict[str, str],
        token: str,
        payload: Any,
        fault: Fault | None,
    ) -> tuple[int, dict[str, str], bytes]:
        role = self.tokens.get(token)
        if role is None:
            return _error(401, "Bad credentials")
        if args[:2] != (self.owner, self.repo) and operation.operation_id != "rate-limit/get":
            return _error(404, "Not Found")
        if fault is not None and not fault.commit and fault.delay == 0:
            return _error(fault.status, fault.message, fault.headers)
        if operation.method in WRITE_METHODS and role == "read":
            return _error(403, "Resource not accessible by integration")
        if operation.operation_id == "checks/create" and role == "no-checks":
            return _error(403, "Resource not accessible by integration")
        handler = getattr(self, "op_" + operation.operation_id.replace("/", "_").replace("-", "_"))
        status, body, headers = handler(args[2:], query, payload or {})
        if fault is not None and fault.commit:
            return _error(fault.status, fault.message, fault.headers)
        if body is not None:
            schema = operation.response_schema(status)
            if schema is None:
                self._violate([f"{operation.operation_id}: {status} is not a documented response"])
            else:
                problems = openapi.errors(schema, body)
                self._violate([f"{operation.operation_id} response: {p}" for p in problems])
        elif status not in operation.statuses():
            self._violate([f"{operation.operation_id}: {status} is not a documented response"])
        data = b"" if body is None else json.dumps(body).encode()
        return status, {"content-type": "application/json; charset=utf-8", **headers}, data

    def _blob(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes, float]:
        if "authorization" in {k.lower() for k in headers}:
            self.leaked_auth.append(path)
        self.log.append(Record("GET", path, "blob", 200, "", False))
        artifact = self.artifacts.get(int(path.rsplit("/", 1)[1]))
        if artifact is None:
            return 404, {}, b"", 0.0
        return 200, {"content-type": "application/zip"}, artifact[2], 0.0

    # ---- operations (named after operationId) --------------------------------------------

    def op_repos_get(self, args, query, body):
        return (
            200,
            openapi.build(
                "full-repository",
                name=self.repo,
                full_name=self.repository,
                url=self._repo_url(),
                html_url=self._html(""),
                default_branch="main",
            ),
            {},
        )

    def op_pulls_get(self, args, query, body):
        state = self.pulls.get(int(args[0]))
        if state is None:
            return 404, {"message": "Not Found"}, {}
        return 200, self._pull(state), {}

    def op_issues_get(self, args, query, body):
        number = int(args[0])
        if number not in self.pulls:
            return 404, {"message": "Not Found"}, {}
        return (
            200,
            openapi.build(
                "issue",
                number=number,
                url=f"{self._repo_url()}/issues/{number}",
                comments_url=f"{self._repo_url()}/issues/{number}/comments",
                html_url=self._html(f"pull/{number}"),
            ),
            {},
        )

    def op_issues_list_comments(self, args, query, body):
        number = int(args[0])
        if number not in self.pulls:
            return 404, {"message": "Not Found"}, {}
        everything = self.comments_on(number)
        per_page = min(int(query.get("per_page", 30)), 100)
        page = int(query.get("page", 1))
        chunk = everything[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(everything):
            url = f"{self._repo_url()}/issues/{number}/comments?per_page={per_page}&page={page + 1}"
            headers["link"] = f'<{url}>; rel="next"'
        return 200, chunk, headers

    def op_issues_create_comment(self, args, query, body):
        number = int(args[0])
        if number not in self.pulls:
            return 404, {"message": "Not Found"}, {}
        if len(body.get("body", "")) > 65_536:
            return 422, {"message": "Body is too long (maximum is 65536 characters)"}, {}
        comment = self._create_comment(number, body["body"], BOT)
        return 201, comment, {"location": comment["url"]}

    def op_issues_get_comment(self, args, query, body):
        comment = self.comments.get(int(args[0]))
        return (200, comment, {}) if comment else (404, {"message": "Not Found"}, {})

    def op_issues_update_comment(self, args, query, body):
        comment = self.comments.get(int(args[0]))
        if comment is None:
            return 404, {"message": "Not Found"}, {}
        if len(body.get("body", "")) > 65_536:
            return 422, {"message": "Body is too long (maximum is 65536 characters)"}, {}
        comment["body"] = body["body"]
        return 200, comment, {}

    def op_issues_delete_comment(self, args, query, body):
        cid = int(args[0])
        if cid not in self.comments:
            return 404, {"message": "Not Found"}, {}
        del self.comments[cid]
        return 204, None, {}

    def op_checks_create(self, args, query, body):
        rid = self._next_id()
        output = body.get("output", {})
        run = openapi.build(
            "check-run",
            id=rid,
            name=body["name"],
            head_sha=body["head_sha"],
            status=body.get("status", "queued"),
            conclusion=body.get("conclusion"),
            url=f"{self._repo_url()}/check-runs/{rid}",
            html_url=self._html(f"runs/{rid}"),
            details_url=body.get("details_url"),
            output={
                "title": output.get("title"),
                "summary": output.get("summary"),
                "text": output.get("text"),
                "annotations_count": len(output.get("annotations", [])),
                "annotations_url": f"{self._repo_url()}/check-runs/{rid}/annotations",
            },
        )
        self.check_runs[rid] = run
        self.annotations[rid] = list(output.get("annotations", []))
        return 201, run, {}

    def op_checks_update(self, args, query, body):
        run = self.check_runs.get(int(args[0]))
        if run is None:
            return 404, {"message": "Not Found"}, {}
        output = body.get("output")
        if output:
            self.annotations[run["id"]] += output.get("annotations", [])
            run["output"]["title"] = output.get("title", run["output"]["title"])
            run["output"]["annotations_count"] = len(self.annotations[run["id"]])
        for key in ("conclusion", "status"):
            if key in body:
                run[key] = body[key]
        return 200, run, {}

    def op_checks_get(self, args, query, body):
        run = self.check_runs.get(int(args[0]))
        return (200, run, {}) if run else (404, {"message": "Not Found"}, {})

    def op_repos_create_commit_status(self, args, query, body):
        sid = self._next_id()
        status = openapi.build(
            "status",
            id=sid,
            state=body["state"],
            description=body.get("description"),
            context=body.get("context", "default"),
            target_url=body.get("target_url"),
            url=f"{self._repo_url()}/statuses/{args[0]}",
        )
        self.statuses.append({**status, "sha": args[0]})
        return 201, status, {}

    def op_actions_list_workflow_run_artifacts(self, args, query, body):
        run_id = int(args[0])
        found = [
            openapi.build(
                "artifact",
                id=aid,
                name=name,
                size_in_bytes=len(data),
                expired=False,
                url=f"{self._repo_url()}/actions/artifacts/{aid}",
                archive_download_url=f"{self._repo_url()}/actions/artifacts/{aid}/zip",
            )
            for aid, (name, owner_run, data) in sorted(self.artifacts.items())
            if owner_run == run_id
        ]
        return 200, {"total_count": len(found), "artifacts": found}, {}

    def op_actions_get_workflow_run(self, args, query, body):
        run_id = int(args[0])
        url = f"{self._repo_url()}/actions/runs/{run_id}"
        return (
            200,
            openapi.build("workflow-run", id=run_id, url=url, artifacts_url=f"{url}/artifacts"),
            {},
        )

    def op_actions_download_artifact(self, args, query, body):
        aid = int(args[0])
        if aid not in self.artifacts:
            return 410, {"message": "Gone"}, {}
        # storage is another host (as on GitHub), so the client must drop its token
        storage = self.base_url.replace("127.0.0.1", "localhost")
        return 302, None, {"location": f"{storage}/_blobs/{aid}"}

    # ---- releases (the operations `mlgate report --github-release` makes) ------------------

    def add_release(self, tag: str, body: str = "", draft: bool = False) -> int:
        with self._lock:
            created = self.op_repos_create_release((), {}, {"tag_name": tag, "body": body,
                                                            "draft": draft})  # fmt: skip
            return created[1]["id"]

    def release_assets(self, release_id: int) -> dict[str, bytes]:
        return {a["name"]: data for rid, a, data in self.assets.values() if rid == release_id}

    def _release(self, rid: int) -> dict[str, Any]:
        release = dict(self.releases[rid])
        release["assets"] = [a for r, a, _ in self.assets.values() if r == rid]
        return release

    def op_repos_list_releases(self, args, query, body):
        return 200, [self._release(rid) for rid in sorted(self.releases, reverse=True)], {}

    def op_repos_create_release(self, args, query, body):
        if any(r["tag_name"] == body["tag_name"] for r in self.releases.values()):
            return 422, _already_exists("Release", "tag_name"), {}
        rid = self._next_id()
        url = f"{self._repo_url()}/releases/{rid}"
        self.releases[rid] = openapi.build(
            "release",
            id=rid,
            url=url,
            assets_url=f"{url}/assets",
            # on GitHub this is uploads.github.com; PyGithub only talks to the API's host
            upload_url=f"{url}/assets{{?name,label}}",
            html_url=self._html(f"releases/tag/{body['tag_name']}"),
            tarball_url=f"{self._repo_url()}/tarball/{body['tag_name']}",
            zipball_url=f"{self._repo_url()}/zipball/{body['tag_name']}",
            tag_name=body["tag_name"],
            target_commitish=body.get("target_commitish", "main"),
            name=body.get("name"),
            body=body.get("body"),
            draft=body.get("draft", False),
            prerelease=body.get("prerelease", False),
            author=self._user(BOT),
        )
        return 201, self._release(rid), {}

    def op_repos_update_release(self, args, query, body):
        rid = int(args[0])
        if rid not in self.releases:
            return 404, {"message": "Not Found"}, {}
        self.releases[rid].update(
            {k: body[k] for k in ("tag_name", "name", "body", "draft", "prerelease") if k in body}
        )
        return 200, self._release(rid), {}

    def op_repos_upload_release_asset(self, args, query, body):
        rid = int(args[0])
        if rid not in self.releases or "name" not in query:
            return 404, {"message": "Not Found"}, {}
        if any(a["name"] == query["name"] for r, a, _ in self.assets.values() if r == rid):
            return 422, _already_exists("ReleaseAsset", "name"), {}
        data = body.get("data", b"")
        aid = self._next_id()
        asset = openapi.build(
            "release-asset",
            id=aid,
            name=query["name"],
            label=query.get("label") or None,
            content_type=body.get("content_type") or "application/octet-stream",
            size=len(data),
            state="uploaded",
            url=f"{self._repo_url()}/releases/assets/{aid}",
            browser_download_url=self._html(f"releases/download/{aid}/{query['name']}"),
            uploader=self._user(BOT),
        )
        self.assets[aid] = (rid, asset, data)
        return 201, asset, {}

    def op_repos_delete_release_asset(self, args, query, body):
        aid = int(args[0])
        if aid not in self.assets:
            return 404, {"message": "Not Found"}, {}
        del self.assets[aid]
        return 204, None, {}

    def op_rate_limit_get(self, args, query, body):
        rate = {"limit": 5000, "remaining": 4990, "reset": int(time.time()) + 3600, "used": 10}
        return (
            200,
            openapi.build(
                "rate-limit-overview", resources={"core": rate, "search": rate}, rate=rate
            ),
            {},
        )


def _payload(
    operation: openapi.Operation, headers: dict[str, str], body: bytes
) -> tuple[Any, list[str]]:
    """The request's body as the operation takes it, and every way it breaks the contract."""
    content = operation.definition.get("requestBody", {}).get("content", {})
    if not content:
        return None, (["a body, where the operation takes none"] if body else [])
    if "application/json" not in content:  # release asset uploads: the bytes themselves
        kind = _header(headers, "content-type")
        return {"data": body, "content_type": kind}, ([] if kind else ["no Content-Type header"])
    try:
        payload = json.loads(body) if body else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None, ["the body is not JSON"]
    schema = operation.request_schema()
    assert schema is not None
    return payload, openapi.errors(schema, {} if payload is None else payload)


def _already_exists(resource: str, name: str) -> dict[str, Any]:
    return {
        "message": "Validation Failed",
        "errors": [{"resource": resource, "code": "already_exists", "field": name}],
    }


def _header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in headers.items() if k.lower() == name), "")


def _token(headers: dict[str, str]) -> str:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = value.partition(" ")
    return token if scheme.lower() in {"token", "bearer"} else ""


def _error(status: int, message: str, headers: dict[str, str] | None = None):
    body = json.dumps({"message": message, "documentation_url": "https://docs.github.com/rest"})
    return (
        status,
        {"content-type": "application/json; charset=utf-8", **(headers or {})},
        body.encode(),
    )


def _json(status: int, body: Any) -> tuple[int, dict[str, str], bytes, float]:
    return status, {"content-type": "application/json"}, json.dumps(body).encode(), 0.0


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        github = self.server.github
        try:
            status, headers, data, delay = github.handle(
                self.command, self.path, dict(self.headers.items()), body
            )
        except Exception as exc:  # a bug in this server: make the test fail, not hang
            github._violate([f"server error on {self.command} {self.path}: {exc!r}"])
            status, headers, data, delay = 500, {}, b"", 0.0
        if delay:
            time.sleep(delay)
        self.send_response(status)
        rate = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4990"}
        rate["x-ratelimit-reset"] = str(int(time.time()) + 3600)
        for key, value in {**rate, **headers}.items():
            self.send_header(key, value)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, github: FakeGitHub) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.github = github


class Served:
    """A running server: `with Served(FakeGitHub()) as api: api.base_url ...`."""

    def __init__(self, github: FakeGitHub) -> None:
        self.github = github
        self._server = _Server(github)
        github.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self.github

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        if kind is None and self.github.violations:
            problems = "\n".join(self.github.take_violations())
            raise AssertionError(f"requests or responses broke GitHub's REST contract:\n{problems}")
