"""The corpus: each case writes base.onnx, head.onnx and eval.npz into its own folder and
says what a correct gate should answer (`expected`): fail (a real regression), pass (nothing
changed that matters) or not-fail (an improvement, or a change the default thresholds do not
gate, such as changed outputs with no labels)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from sklearn.base import BaseEstimator

from benchmarks.corpus import edits, sources, tabular

EVAL_SEED = 7  # calibration data uses other seeds: a calibration set is not the eval set


@dataclass(frozen=True)
class Case:
    name: str
    group: str  # int8 | slowdown | accuracy | re-export | a/a | improvement
    expected: str  # fail | pass | not-fail | not-pass (fail or inconclusive)
    change: str
    build: Callable[[Path], None]


# Eval data per base model (the gate times one example per call where the batch is free).


def det_eval() -> dict[str, np.ndarray]:
    return {"x": sources.page(320, 320, EVAL_SEED)}


def rec_eval(labelled: bool) -> dict[str, np.ndarray]:
    """4 text lines; labels (optional) are the shipped model's per-timestep classes."""
    feeds = {"x": sources.text_lines(4, 320, EVAL_SEED)}
    if labelled:
        session = ort.InferenceSession(str(sources.shipped("rec")), providers=_CPU)
        feeds["labels"] = session.run(None, feeds)[0].argmax(-1).astype(np.int64)
    return feeds


def cls_eval() -> dict[str, np.ndarray]:
    images, labels = sources.oriented_lines(48, EVAL_SEED)
    return {"x": images, "labels": labels}


def minilm_eval() -> dict[str, np.ndarray]:
    return sources.token_ids(8, 64, EVAL_SEED)


_CPU = ["CPUExecutionProvider"]
EVALS: dict[str, Callable[[], dict[str, np.ndarray]]] = {
    "det": det_eval,
    "rec": lambda: rec_eval(False),
    "rec-labelled": lambda: rec_eval(True),
    "cls": cls_eval,
    "minilm": minilm_eval,
    "vad": lambda: sources.audio_frame(EVAL_SEED),
}


def _write(folder: Path, base: Path | onnx.ModelProto, eval_key: str) -> None:
    if isinstance(base, Path):
        edits.copy(base, folder / "base.onnx")
    else:
        onnx.save(base, folder / "base.onnx")
    np.savez(folder / "eval.npz", **EVALS[eval_key]())


def shipped_case(
    key: str, eval_key: str, head: Callable[[Path, Path], None]
) -> Callable[[Path], None]:
    """Base: the shipped model as is; head: `head(base_path, head_path)`."""

    def build(folder: Path) -> None:
        _write(folder, sources.shipped(key), eval_key)
        head(folder / "base.onnx", folder / "head.onnx")

    return build


def edited_case(
    key: str, eval_key: str, edit: Callable[[onnx.ModelProto], onnx.ModelProto], swap: bool
) -> Callable[[Path], None]:
    """Base: the shipped model, head: the edited one (or the other way round with `swap`)."""

    def build(folder: Path) -> None:
        original = onnx.load(sources.shipped(key))
        edited = edit(original)
        first, second = (edited, original) if swap else (original, edited)
        _write(folder, first, eval_key)
        onnx.save(second, folder / "head.onnx")

    return build


def tabular_case(
    dataset: str,
    eval_count: int,
    base: BaseEstimator,
    head: BaseEstimator,
    head_train: tuple[int, int] | None = None,
) -> Callable[[Path], None]:
    """Both trained on the same split; the head, with `head_train` = (count, seed), on
    `count` of the training examples, drawn with `seed`."""

    def build(folder: Path) -> None:
        data = tabular.split(dataset, eval_count)
        head_data = data.fewer(*head_train) if head_train else data
        onnx.save(tabular.exported(tabular.fitted(base, data), data), folder / "base.onnx")
        onnx.save(
            tabular.exported(tabular.fitted(head, head_data), head_data), folder / "head.onnx"
        )
        np.savez(folder / "eval.npz", **data.eval_npz())

    return build


def tabular_int8_case(
    dataset: str, eval_count: int, model: BaseEstimator
) -> Callable[[Path], None]:
    """Base: the exported model; head: its dynamic int8 quantization."""

    def build(folder: Path) -> None:
        data = tabular.split(dataset, eval_count)
        onnx.save(tabular.exported(tabular.fitted(model, data), data), folder / "base.onnx")
        edits.dynamic_int8(folder / "base.onnx", folder / "head.onnx")
        np.savez(folder / "eval.npz", **data.eval_npz())

    return build
