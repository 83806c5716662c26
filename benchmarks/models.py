"""Models with a chosen latency, made of real compute (MatMul + Relu layers)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tests import model_builders as mb

WIDTH = 512


def _session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def median_latency(path: Path, runs: int = 200) -> float:
    session = _session(path)
    feeds = {"x": np.ones((1, WIDTH), np.float32)}
    for _ in range(20):
        session.run(None, feeds)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run(None, feeds)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def model_with_latency(
    folder: Path, seconds: float, name: str = "model.onnx"
) -> tuple[Path, float]:
    """A MatMul chain whose median single-thread latency is close to `seconds` (latency is
    not linear in depth once weights outgrow the caches, so the depth is refined)."""
    layers = 4
    path = folder / name
    for _ in range(6):
        mb.save(mb.matmul_chain(layers=layers, width=WIDTH, batch=1), path)
        measured = median_latency(path)
        if abs(measured / seconds - 1) < 0.1:
            break
        layers = max(1, round(layers * seconds / measured))
    return path, median_latency(path)
