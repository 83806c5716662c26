"""Task metrics against labels and head-vs-base fidelity. Outputs are taken as the session
returns them (declared output shapes are not trusted): tensors, sequences of maps
(ai.onnx.ml ZipMap) and sequences of tensors are normalised to arrays first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from mlgate.bench.inputs import Batch
from mlgate.errors import DataError
from mlgate.results.measurements import Fidelity


@dataclass(frozen=True)
class Output:
    """One output over the whole eval set. `classes` names the columns of a ZipMap output."""

    name: str
    batches: list[np.ndarray]
    classes: np.ndarray | None = None

    def joined(self) -> np.ndarray:
        if len(self.batches) == 1:
            return self.batches[0]
        try:
            return np.concatenate(self.batches, axis=0)
        except ValueError:
            raise DataError(
                f"output '{self.name}' cannot be joined across batches (shapes "
                f"{[list(b.shape) for b in self.batches]})"
            ) from None


def normalise(value: Any) -> tuple[np.ndarray, np.ndarray | None]:
    """An output value as an array, plus class keys for a sequence of maps."""
    if isinstance(value, np.ndarray):
        return value, None
    if isinstance(value, list) and value and isinstance(value[0], dict):
        keys = sorted(value[0])
        table = np.array([[row[key] for key in keys] for row in value], dtype=np.float64)
        return table, np.array(keys)
    if isinstance(value, list):
        try:
            return np.stack([np.asarray(item) for item in value]), None
        except ValueError:
            return np.array(value, dtype=object), None
    return np.asarray(value), None


class RunsBatches(Protocol):
    """What collecting outputs needs of a session: an onnxruntime `Session` or any
    runtime's runner (bench/runtimes)."""

    display: str
    output_names: list[str]

    def run(self, feeds: dict[str, np.ndarray], /) -> list[Any]: ...


def collect_outputs(
    session: RunsBatches, batches: list[Batch], check_nan: bool = True
) -> list[Output]:
    """Run every batch; outputs in the session's order."""
    per_output: list[list[np.ndarray]] = [[] for _ in session.output_names]
    classes: list[np.ndarray | None] = [None] * len(session.output_names)
    for batch in batches:
        for index, value in enumerate(session.run(batch.feeds)):
            array, keys = normalise(value)
            per_output[index].append(array)
            classes[index] = keys if keys is not None else classes[index]
    outputs = [
        Output(name, arrays, classes[i])
        for i, (name, arrays) in enumerate(zip(session.output_names, per_output, strict=True))
    ]
    if check_nan:
        for output in outputs:
            for array in output.batches:
                if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
                    raise DataError(
                        f"{session.display} produced NaN or infinite values in output "
                        f"'{output.name}' on the eval data: the model is numerically broken "
                        "or the inputs are outside the range it was trained on"
                    )
    return outputs


def pick_output(outputs: list[Output], name: str | None, display: str) -> Output:
    if name is None:
        return outputs[0]
    for output in outputs:
        if output.name == name:
            return output
    raise DataError(
        f"eval.output '{name}' is not an output of {display} "
        f"(outputs: {', '.join(o.name for o in outputs)})"
    )


def _predictions(output: Output) -> np.ndarray:
    """Predicted class per example: argmax over scores, or the labels the model emits."""
    values = output.joined()
    if values.dtype.kind in "iubUO":
        return values[:, 0] if values.ndim == 2 and values.shape[1] == 1 else values
    if values.ndim < 2 or values.shape[-1] < 2:
        raise DataError(
            f"top1 needs class scores [N, classes] or predicted labels [N]; output "
            f"'{output.name}' is float with shape {list(values.shape)}; choose another "
            "eval.output or metric"
        )
    best = np.argmax(values, axis=-1)
    predicted: np.ndarray = output.classes[best] if output.classes is not None else best
    return predicted


def _labels_like(labels: np.ndarray, predictions: np.ndarray, name: str) -> np.ndarray:
    if labels.dtype.kind == "f" and labels.ndim == predictions.ndim + 1:
        labels = np.argmax(labels, axis=-1)  # one-hot
    if labels.size != predictions.size:
        raise DataError(
            f"labels have shape {list(labels.shape)}, but output '{name}' gives "
            f"{list(predictions.shape)} predictions; the labels must hold one entry per example"
        )
    return labels.reshape(predictions.shape)


def _matches(predictions: np.ndarray, labels: np.ndarray) -> np.ndarray:
    equal: np.ndarray
    if predictions.dtype.kind in "UO" or labels.dtype.kind in "UO":
        equal = predictions.astype(str) == labels.astype(str)
    else:
        equal = predictions == labels
    return equal


def _per_example(values: np.ndarray) -> np.ndarray:
    """Mean over every axis but the first: one score per example."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim <= 1:
        return values.reshape(-1)
    means: np.ndarray = values.reshape(values.shape[0], -1).mean(axis=1)
    return means


def top1_scores(output: Output, labels: np.ndarray) -> np.ndarray:
    predictions = _predictions(output)
    return _per_example(_matches(predictions, _labels_like(labels, predictions, output.name)))


def topk_scores(output: Output, labels: np.ndarray, k: int) -> np.ndarray:
    scores = output.joined()
    if scores.dtype.kind != "f" or scores.ndim < 2:
        raise DataError(
            f"topk:{k} needs class scores [N, classes]; output '{output.name}' has none"
        )
    best = np.argsort(-scores, axis=-1)[..., :k]
    if output.classes is not None:
        best = output.classes[best]
    flat = _labels_like(labels, best[..., 0], output.name)
    return _per_example(np.any(_matches(best, flat[..., None]), axis=-1))


def _regression_pair(output: Output, labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    values = output.joined().astype(np.float64)
    if values.size != labels.size:
        raise DataError(
            f"labels have {labels.size} values, output '{output.name}' has {values.size}; "
            "they must match for mse/mae/cosine"
        )
    return values, labels.astype(np.float64).reshape(values.shape)


def _row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a.reshape(a.shape[0], -1) if a.ndim > 1 else a.reshape(1, -1)
    b = b.reshape(b.shape[0], -1) if b.ndim > 1 else b.reshape(1, -1)
    dot = np.sum(a * b, axis=1)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    same = np.all(a == b, axis=1)
    cosine = np.where(norms > 0, dot / np.where(norms > 0, norms, 1.0), 0.0)
    return np.where(same, 1.0, cosine)


def row_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Mean cosine similarity of rows (axis 0); a 1-D pair counts as one row."""
    return float(np.mean(_row_cosines(a, b)))


def check_labels(labels: np.ndarray, display: str) -> None:
    """Labels that are NaN or infinite can only make a metric meaningless: refuse them."""
    if labels.dtype.kind in "fc" and not np.all(np.isfinite(labels)):
        bad = int(np.sum(~np.isfinite(labels)))
        raise DataError(
            f"{display}: the labels hold {bad} NaN or infinite value(s); fix or drop those examples"
        )


def task_scores(metric: str, output: Output, labels: np.ndarray) -> tuple[np.ndarray, bool]:
    """One score per example, and whether scores are right/wrong (for a paired exact test)
    rather than continuous. The task metric is their mean."""
    if metric == "top1":
        scores = top1_scores(output, labels)
    elif metric.startswith("topk:"):
        scores = topk_scores(output, labels, int(metric.split(":", 1)[1]))
    else:
        values, target = _regression_pair(output, labels)
        if metric == "mse":
            return _per_example((values - target) ** 2), False
        if metric == "mae":
            return _per_example(np.abs(values - target)), False
        if metric == "cosine":
            return _row_cosines(values, target), False
        raise DataError(f"metric '{metric}' needs no labels")
    binary = bool(np.all((scores == 0) | (scores == 1)))
    return scores, binary


def task_metric(metric: str, output: Output, labels: np.ndarray) -> float:
    return float(np.mean(task_scores(metric, output, labels)[0]))


def _pairs(base: list[Output], head: list[Output]) -> list[tuple[Output, Output]]:
    by_name = {o.name: o for o in base}
    pairs = [(by_name[o.name], o) for o in head if o.name in by_name]
    return pairs or list(zip(base, head, strict=False))


def fidelity(
    base: list[Output], head: list[Output], metric_output: str | None, inputs: str = "eval"
) -> Fidelity:
    """Head vs base outputs on the same inputs: worst max-abs-diff and cosine over outputs,
    top-1 agreement on the metric output."""
    diffs, relative, cosines = [], [], []
    agreement = None
    for b, h in _pairs(base, head):
        b_all, h_all = b.joined(), h.joined()
        if b_all.shape != h_all.shape:
            continue
        if b_all.dtype.kind == "f" and h_all.dtype.kind == "f":  # labels are not distances
            b64, h64 = b_all.astype(np.float64), h_all.astype(np.float64)
            diff = float(np.max(np.abs(h64 - b64))) if b64.size else 0.0
            diffs.append(diff)
            relative.append(_relative_diff(diff, b64))
            cosines.append(row_cosine(h64, b64))
        is_metric = h.name == metric_output or (metric_output is None and h is head[0])
        if is_metric:
            try:
                agreement = float(np.mean(_matches(_predictions(h), _predictions(b))))
            except DataError:
                agreement = None
    return Fidelity(
        max_abs_diff=max(diffs) if diffs else None,
        cosine=min(cosines) if cosines else None,
        top1_agreement=agreement,
        relative_diff=max(relative) if relative else None,
        inputs=inputs,
    )


def _relative_diff(diff: float, base: np.ndarray) -> float:
    """`diff` over the base output's range (its largest magnitude when constant; `diff`
    itself when the base output is all zeros)."""
    if diff == 0 or not base.size:
        return 0.0
    scale = float(np.max(base) - np.min(base)) or float(np.max(np.abs(base)))
    return diff / scale if scale > 0 else diff
