"""A git repository with a pull-request branch over a few models (one with external data)
and a non-model file: what the changed-model tests commit their changes to."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.github.actions_runtime import DEMO, git
from tests.model_builders import matmul_chain, with_external_data


def pr_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(DEMO / "base.onnx", repo / "models" / "a.onnx")
    shutil.copy(DEMO / "base.onnx", repo / "models" / "gone.onnx")
    with_external_data(matmul_chain(seed=1), repo / "models" / "big", "big.onnx")
    (repo / "notes.txt").write_text("v1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr")
    return repo


def commit_change(repo: Path) -> tuple[str, str]:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    return git(repo, "rev-parse", "main"), git(repo, "rev-parse", "HEAD")
