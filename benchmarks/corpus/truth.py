"""The true change of a case, measured apart from mlgate: latency ratio from a long
interleaved timing of both models in one process on one thread, accuracy of both on the
labels, and head-vs-base output cosine and top-1 agreement."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

from mlgate.model.profile import compute_profile


def session(path: Path) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def load_eval(path: Path) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    return {k: v for k, v in arrays.items() if k != "labels"}, arrays.get("labels")


def _predictions(output: np.ndarray) -> np.ndarray:
    if output.dtype.kind in "iu":
        return output
    return np.asarray(output.argmax(-1))


def accuracy(outputs: list[np.ndarray], labels: np.ndarray | None) -> float | None:
    """Top-1 of the first output (class ids, or scores over the last axis)."""
    if labels is None:
        return None
    predictions = _predictions(outputs[0])
    return float(np.mean(predictions.reshape(labels.shape) == labels))


def _class_scores(array: np.ndarray) -> bool:
    """Probabilities over the last axis (softmax outputs): where top-1 means something."""
    if array.ndim < 2 or array.shape[-1] < 2 or np.min(array) < 0:
        return False
    return bool(np.allclose(array.sum(-1), 1.0, atol=1e-3))


def agreement(base: list[np.ndarray], head: list[np.ndarray]) -> dict[str, float]:
    """Row cosine (mean and smallest) over the float outputs, top-1 agreement over class
    probabilities and integer outputs (equality), and the largest absolute difference."""
    cosines, agree, diffs = [], [], []
    for a, b in zip(base, head, strict=True):
        if a.dtype.kind in "iu":
            agree.append(float(np.mean(a == b)))
            continue
        x = a.reshape(a.shape[0], -1).astype(np.float64) if a.ndim else a.reshape(1, 1)
        y = b.reshape(x.shape).astype(np.float64)
        norms = np.linalg.norm(x, axis=1) * np.linalg.norm(y, axis=1)
        cosines.append(np.sum(x * y, axis=1) / np.maximum(norms, 1e-30))
        diffs.append(float(np.max(np.abs(x - y))))
        if _class_scores(a):
            agree.append(float(np.mean(a.argmax(-1) == b.argmax(-1))))
    rows = np.concatenate(cosines) if cosines else np.ones(1)
    return {
        "cosine_mean": float(np.mean(rows)),
        "cosine_min": float(np.min(rows)),
        "top1_agreement": min(agree, default=float("nan")),
        "max_abs_diff": max(diffs, default=0.0),
    }


def timing(base: Path, head: Path, feeds: dict[str, np.ndarray], seconds: float) -> dict:
    """Pairs of calls, order alternating (AB, BA, ...), for `seconds`; the ratio is the
    median of per-pair head/base ratios, with a bootstrap 95% interval."""
    sessions = [session(base), session(head)]
    for each in sessions:
        for _ in range(3):
            each.run(None, feeds)
    times: list[list[float]] = [[], []]
    stop = time.perf_counter() + seconds
    while time.perf_counter() < stop or len(times[0]) < 10:
        order = (0, 1) if len(times[0]) % 2 == 0 else (1, 0)
        for index in order:
            start = time.perf_counter()
            sessions[index].run(None, feeds)
            times[index].append(time.perf_counter() - start)
    a, b = np.array(times[0]), np.array(times[1])
    ratios = b / a
    rng = np.random.default_rng(0)
    boot = [np.median(rng.choice(ratios, ratios.size)) for _ in range(1000)]
    return {
        "base_ms": float(np.median(a) * 1e3),
        "head_ms": float(np.median(b) * 1e3),
        "ratio": float(np.median(ratios)),
        "ratio_ci": [float(np.percentile(boot, 2.5)), float(np.percentile(boot, 97.5))],
        "pairs": int(ratios.size),
    }


def macs_ratio(folder: Path, feeds: dict[str, np.ndarray]) -> float | None:
    """Head/base multiply-accumulates per call (mlgate's static count), when both count
    every node (trees, for one, do not multiply)."""
    shapes = {name: list(array.shape) for name, array in feeds.items()}
    counts = []
    for side in ("base.onnx", "head.onnx"):
        macs = compute_profile(onnx.load(folder / side), shapes, 0).macs
        if macs.uncounted or not macs.total:
            return None
        counts.append(macs.total)
    return counts[1] / counts[0]


def measure(folder: Path, seconds: float) -> dict:
    feeds, labels = load_eval(folder / "eval.npz")
    base_out = session(folder / "base.onnx").run(None, feeds)
    head_out = session(folder / "head.onnx").run(None, feeds)
    found = {
        "accuracy_base": accuracy(base_out, labels),
        "accuracy_head": accuracy(head_out, labels),
        **agreement(base_out, head_out),
        "macs_ratio": macs_ratio(folder, feeds),
    }
    if seconds > 0:
        one = one_call(folder, feeds, labels)
        found.update(timing(folder / "base.onnx", folder / "head.onnx", one, seconds))
    return found


def one_call(
    folder: Path, feeds: dict[str, np.ndarray], labels: np.ndarray | None
) -> dict[str, np.ndarray]:
    """What the gate times per call: one example where the arrays stack examples along
    axis 0 and both models accept it, else the whole arrays."""
    leading = [a.shape[0] for a in feeds.values() if a.ndim]
    count = labels.shape[0] if labels is not None and labels.ndim else max(leading, default=1)
    one = {name: a[:1] if a.ndim and a.shape[0] == count else a for name, a in feeds.items()}
    try:
        for side in ("base.onnx", "head.onnx"):
            session(folder / side).run(None, one)
    except Exception:  # onnxruntime's own exception types: the split does not fit
        return feeds
    return one
