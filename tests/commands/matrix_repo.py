"""A git repository whose pull request widens the demo model, with three CPU targets (the
third optionally allowed to be missing): what the matrix commands run on."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.github.actions_runtime import DEMO, git

CONFIG = """
models: [{{path: "models/*.onnx"}}]
targets:
  - {{name: cpu-a}}
  - {{name: cpu-b}}
  - {{name: cpu-c, allow_missing: {allow}}}
latency: {{budget_seconds: 1, min_seconds: 0.2, segment_seconds: 0.1, min_segments: 4}}
"""


def make_repo(tmp_path: Path, allow_missing: bool) -> Path:
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(DEMO / "base.onnx", repo / "models" / "digits.onnx")
    (repo / "mlgate.yml").write_text(CONFIG.format(allow=str(allow_missing).lower()))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr")
    shutil.copy(DEMO / "head.onnx", repo / "models" / "digits.onnx")
    git(repo, "commit", "-qam", "wider model")
    return repo
