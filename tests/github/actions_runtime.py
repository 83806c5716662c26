"""The GitHub Actions runtime, emulated for end-to-end tests: a git repository with a base
branch and a PR branch, an event payload valid against GitHub's webhook schema, INPUT_*
variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, and the Dockerfile's ENTRYPOINT run
as written."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import onnx

from tests.github import openapi

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "src" / "mlgate" / "demo"
CONFIG = """\
models:
  - path: "models/*.onnx"
    eval:
      data: data/eval.npz
      metric: top1
      output: probabilities
      batch_size: 1
thresholds:
  accuracy: -0.5pp
  latency.p50: +10%
latency:
  budget_seconds: 3
  min_segments: 6
"""


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def same_model_new_metadata(source: Path, target: Path) -> None:
    """The same computation, different bytes: a PR that changes only metadata."""
    model = onnx.load(str(source))
    model.doc_string = "retrained: same weights, new notes"
    onnx.save(model, str(target))


@dataclass
class Repo:
    path: Path
    base_sha: str
    head_sha: str
    merge_sha: str  # what GITHUB_SHA is on pull_request: a merge commit


def make_repo(root: Path, head_model: str = "regressed", config: str | None = CONFIG) -> Repo:
    """`main` with models/digits.onnx and eval data; branch `feature` changes the model:
    `regressed` (the demo's bigger, less accurate head), `same` (metadata only) or `none`
    (a README edit only)."""
    repo = root / "workspace"
    (repo / "models").mkdir(parents=True)
    (repo / "data").mkdir()
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(DEMO / "base.onnx", repo / "models" / "digits.onnx")
    shutil.copy(DEMO / "eval.npz", repo / "data" / "eval.npz")
    (repo / "README.md").write_text("models\n")
    if config is not None:
        (repo / "mlgate.yml").write_text(config)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "feature")
    if head_model == "regressed":
        shutil.copy(DEMO / "head.onnx", repo / "models" / "digits.onnx")
    elif head_model == "same":
        same_model_new_metadata(DEMO / "base.onnx", repo / "models" / "digits.onnx")
    else:
        (repo / "README.md").write_text("models, documented\n")
    git(repo, "commit", "-q", "-am", "change")
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge feature into main", "feature")
    merge = git(repo, "rev-parse", "HEAD")  # actions/checkout's default on pull_request
    return Repo(repo, base, head, merge)


def pull_request_event(repo: Repo, number: int = 7, fork: bool = False) -> dict[str, Any]:
    base_repo = {"full_name": "octo-org/models", "name": "models", "default_branch": "main"}
    head_repo = {"full_name": "someone/models" if fork else "octo-org/models", "name": "models"}
    return openapi.webhook_payload(
        "pull-request-synchronize",
        number=number,
        repository=base_repo,
        pull_request={
            "number": number,
            "base": {"sha": repo.base_sha, "ref": "main", "repo": base_repo},
            "head": {"sha": repo.head_sha, "ref": "feature", "repo": head_repo},
        },
    )


def workflow_run_event(head_sha: str, run_id: int, prs: list[int]) -> dict[str, Any]:
    """A `workflow_run` completed event; fork PRs arrive with an empty `pull_requests`."""
    schema = openapi.webhook_schema("workflow-run-completed")
    item = schema["properties"]["workflow_run"]["properties"]["pull_requests"]["items"]
    pull_requests = [openapi.merge(openapi.minimal(item, schema), {"number": n}) for n in prs]
    run = openapi.webhook_payload("workflow-run-completed")["workflow_run"]
    repo = {"full_name": "octo-org/models", "name": "models", "default_branch": "main"}
    return openapi.webhook_payload(
        "workflow-run-completed",
        repository=repo,
        workflow_run=openapi.merge(
            run,
            {
                "id": run_id,
                "head_sha": head_sha,
                "event": "pull_request",
                "conclusion": "failure",
                "pull_requests": pull_requests,
            },
        ),
    )


@dataclass
class Runner:
    """One job step: the files and variables the runner gives a container action."""

    root: Path
    workspace: Path
    api_url: str
    event_name: str
    payload: dict[str, Any]
    inputs: dict[str, str] = field(default_factory=dict)
    sha: str = ""

    def env(self) -> dict[str, str]:
        temp = self.root / "runner_temp"
        temp.mkdir(exist_ok=True)
        event = temp / "event.json"
        event.write_text(json.dumps(self.payload))
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.root / "home"),
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": self.event_name,
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_REPOSITORY": "octo-org/models",
            "GITHUB_API_URL": self.api_url,
            "GITHUB_SERVER_URL": "https://github.example.invalid",
            "GITHUB_WORKSPACE": str(self.workspace),
            "GITHUB_SHA": self.sha,
            "GITHUB_RUN_ID": "4242",
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_ACTOR": "octocat",
            "GITHUB_OUTPUT": str(temp / "output"),
            "GITHUB_STEP_SUMMARY": str(temp / "summary.md"),
            "MLGATE_API_PACE": "0",
            "MLGATE_API_BACKOFF_SECONDS": "0.01",
            "MLGATE_API_ATTEMPTS": "10",
            "INPUT_GITHUB_TOKEN": "write-token",
            "MLGATE_OPTIMIZE": os.environ.get("MLGATE_OPTIMIZE", "1"),
            "PYTHONPATH": str(ROOT / "src"),  # this checkout's sources, whatever is installed
        }
        for name, value in self.inputs.items():
            env[f"INPUT_{name.upper()}"] = value
        return env

    def outputs(self) -> dict[str, str]:
        return parse_outputs((self.root / "runner_temp" / "output").read_text())

    def summary(self) -> str:
        return (self.root / "runner_temp" / "summary.md").read_text()


def entrypoint() -> list[str]:
    """The Dockerfile's exec-form ENTRYPOINT, resolved to this environment's scripts."""
    text = (ROOT / "Dockerfile").read_text()
    match = re.search(r"^ENTRYPOINT\s+(\[.*\])\s*$", text, re.MULTILINE)
    assert match, "Dockerfile has no exec-form ENTRYPOINT"
    words = json.loads(match.group(1))
    script = Path(sys.executable).parent / words[0]
    return [str(script), *words[1:]]


def run_entrypoint(runner: Runner, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the action as the runner does: in the workspace, with the step's environment."""
    return subprocess.run(
        entrypoint(),
        cwd=cwd or runner.workspace,
        env=runner.env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def parse_outputs(text: str) -> dict[str, str]:
    """Read $GITHUB_OUTPUT as the runner does (`name<<DELIMITER` blocks and `name=value`)."""
    outputs: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            outputs[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
            i += 1
        else:
            i += 1
    return outputs


_PROGRESS = re.compile(r" … \d+(\.\d+)? s( \(about \d+(\.\d+)? s left\))?$")


def error_lines(stderr: str) -> list[str]:
    """What the Action said on stderr besides its progress lines (one per step, `… 1.2 s`)."""
    return [line for line in stderr.strip().splitlines() if not _PROGRESS.search(line)]
