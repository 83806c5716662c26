"""A real repository whose models live in Git LFS (made with the real git-lfs), shaped like
tests.github.actions_runtime.make_repo: `main` holds the demo's base model, branch `feature`
replaces it, and `main` merges it (what actions/checkout checks out on pull_request)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.github.actions_runtime import CONFIG, DEMO, Repo, git

LFS_PATTERNS = ("*.onnx", "*.onnx_data", "*.onnx.data")


def require_git_lfs() -> None:
    """Skip visibly where git-lfs is missing; in CI (CI=true) a missing git-lfs fails."""
    if shutil.which("git-lfs") is not None:
        return
    message = "git-lfs is not installed (`apt-get install git-lfs`; .ci/run installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def lfs_objects(repo: Path) -> Path:
    return repo / ".git" / "lfs" / "objects"


def make_lfs_repo(root: Path, config: str | None = CONFIG) -> Repo:
    repo = root / "workspace"
    (repo / "models").mkdir(parents=True)
    (repo / "data").mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "lfs", "install", "--local")
    git(repo, "lfs", "track", *LFS_PATTERNS)
    shutil.copy(DEMO / "base.onnx", repo / "models" / "digits.onnx")
    shutil.copy(DEMO / "eval.npz", repo / "data" / "eval.npz")
    if config is not None:
        (repo / "mlgate.yml").write_text(config)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "feature")
    shutil.copy(DEMO / "head.onnx", repo / "models" / "digits.onnx")
    git(repo, "commit", "-q", "-am", "bigger model")
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "merge feature into main", "feature")
    merge = git(repo, "rev-parse", "HEAD")
    return Repo(repo, base, head, merge)
