"""Git revisions and the Action end to end: hostile revisions and paths for `mlgate check`,
and base-branch comment templates that fail in the Action (the built-in comment is posted
instead, with a note, and the outputs are still written)."""

from __future__ import annotations

import os
from pathlib import Path

from tests import model_builders as mb
from tests.github.actions_runtime import Repo, Runner, git, pull_request_event
from tests.hostile.harness import Action, Case, Invocation

FAST = "latency: {budget_seconds: 0.5, min_seconds: 0.1, warmup_seconds: 0.02}\n"


def _repo(tmp: Path, config: str = FAST, files: dict[str, str] | None = None) -> Repo:
    """main: models/a.onnx (+ files); feature: a changed models/a.onnx; merged into main."""
    repo = tmp / "workspace"
    git_dir = repo / "models"
    git_dir.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    mb.save(mb.matmul_chain(layers=1, width=8), repo / "models" / "a.onnx")
    (repo / "mlgate.yml").write_text(config)
    for name, text in (files or {}).items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "feature")
    mb.save(mb.matmul_chain(layers=1, width=8, seed=1), repo / "models" / "a.onnx")
    git(repo, "commit", "-q", "-am", "change")
    head = git(repo, "rev-parse", "HEAD")
    return Repo(repo, base, head, head)


def check(*words: str, expect: str, config: str = FAST) -> Case:
    """`mlgate check WORDS` run from inside the repository; no file appears beside it."""

    def build(tmp: Path) -> Invocation:
        repo = _repo(tmp, config)
        os.chdir(repo.path)
        return ["check", "--no-memory", "--out", str(repo.path / "out"), *words]

    return Case(build, expect, after=_no_file_written)


def _no_file_written(tmp: Path) -> None:
    assert not (tmp / "injected").exists()


def _outside_repo(tmp: Path) -> Invocation:
    return ["check", "--base", "main", "--no-memory"]


def _symlinked_head_model(tmp: Path) -> Invocation:
    """The PR replaces the model by a symlink to a file outside the repository."""
    repo = _repo(tmp)
    (repo.path / "models" / "a.onnx").unlink()
    (repo.path / "models" / "a.onnx").symlink_to("/etc/passwd")
    git(repo.path, "commit", "-q", "-am", "link out")
    os.chdir(repo.path)
    return ["check", "--base", "main", "--no-memory", "--budget-seconds", "0.5"]


def _no_secret_in_output(tmp: Path) -> None:
    for path in tmp.rglob("*"):
        if path.is_file() and path.suffix in (".json", ".md"):
            assert "root:x:0" not in path.read_text(errors="replace")


def _action(template: str) -> Case:
    """A pull request whose base branch holds `template` as the comment template."""

    def build(tmp: Path) -> Invocation:
        repo = _repo(tmp, FAST, {".github/mlgate.md.j2": template})
        runner = Runner(tmp, repo.path, "http://127.0.0.1:9", "pull_request", {}, sha=repo.head_sha)
        runner.payload = pull_request_event(repo)
        runner.inputs = {"template": ".github/mlgate.md.j2", "budget_seconds": "0.5"}
        env = runner.env()
        env.pop("INPUT_GITHUB_TOKEN")  # read-only: nothing is posted, everything is written
        env["MLGATE_OPTIMIZE"] = "0"
        return Action(env)

    def after(tmp: Path) -> None:
        comment = (tmp / "workspace" / "mlgate-results" / "comment.md").read_text()
        assert comment.startswith("<!-- mlgate:comment v1 -->")
        outputs = (tmp / "runner_temp" / "output").read_text()
        assert "verdict" in outputs

    return Case(build, "using the built-in comment", (0, 1), after)


CASES: dict[str, Case] = {
    "git-unknown-base": check("--base", "no-such-branch", expect="no-such-branch"),
    "git-base-option-injection": check("--base=--output=../injected", expect="--output"),
    "git-head-option-injection": check(
        "--base", "main", "--head", "--upload-pack=touch ../injected", expect="upload-pack"
    ),
    "git-base-revision-range": check("--base", "main..feature", expect="main..feature"),
    "git-outside-a-repository": Case(_outside_repo, "git"),
    "git-models-glob-too-complex": check(
        "--base", "main", "--models", "*a" * 30 + "b", expect="is too complex"
    ),
    "git-base-config-with-inf": check(
        "--base",
        "main",
        "--config-from",
        "base",
        expect="finite number",
        config="latency: {budget_seconds: .inf}\n",
    ),
    "git-head-model-symlink-out": Case(_symlinked_head_model, "", (0, 1, 2), _no_secret_in_output),
    "action-template-recursion-falls-back": _action(
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"
    ),
    "action-template-zero-division-falls-back": _action("{{ 1 // 0 }}"),
}
