"""A real model and a real optimized variant of it, for the deployment record tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mlgate.bench.session import Target
from mlgate.optimize.build import Recipe, build
from mlgate.optimize.graph_passes import OrtGraph
from mlgate.optimize.pass_api import PassContext
from tests import model_builders as mb

CPU = Target("cpu", ("CPUExecutionProvider",), 1)


def feeds(width: int = 64) -> dict[str, np.ndarray]:
    return {"x": np.random.default_rng(1).standard_normal((4, width)).astype(np.float32)}


def winner(tmp_path: Path) -> tuple[Path, Path]:
    """A real model and a real variant of it (onnxruntime's extended graph optimization)."""
    original = mb.save(mb.matmul_chain(3, 64), tmp_path / "model.onnx")
    folder = tmp_path / "out"
    folder.mkdir()
    recipe = Recipe("ort-extended", (OrtGraph("extended"),))
    built = build(original, folder / "model.ort-extended.onnx", recipe, PassContext(), 60, False)
    assert built.path is not None, built.reason
    return original, built.path
