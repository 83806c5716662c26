from __future__ import annotations

import os
from pathlib import Path

import pytest

FAST_CONFIG = """\
version: 1
latency:
  budget_seconds: 3
  min_seconds: 0.2
  warmup_seconds: 0.05
  segment_seconds: 0.1
  min_segments: 4
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder with its own HOME; no test sees a stray mlgate.yml
    or GitHub variables from the machine running the suite."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in list(os.environ):
        if name.startswith(("GITHUB_", "INPUT_", "MLGATE_")):
            monkeypatch.delenv(name)
    # The variant search takes minutes by design; tests about it turn it back on.
    monkeypatch.setenv("MLGATE_OPTIMIZE", "0")
    monkeypatch.setenv("MLGATE_CACHE_DIR", str(tmp_path / "mlgate-cache"))
    # Tests read stderr as one error line; progress lines are tested on their own.
    monkeypatch.setenv("MLGATE_LOG_LEVEL", "quiet")
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def fast_config(tmp_path: Path) -> Path:
    """A config with a short latency budget, for tests that are not about timing."""
    path = tmp_path / "fast.yml"
    path.write_text(FAST_CONFIG)
    return path


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`gpu` tests skip visibly (with the reason in the summary) where CUDA is not installed."""
    import onnxruntime

    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        return
    skip = pytest.mark.skip(reason="needs CUDAExecutionProvider (onnxruntime-gpu and a GPU)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
