"""NNCF post-training int8 for OpenVINO: the ONNX model read by OpenVINO, quantized by
`nncf.quantize` on a calibration set of the eval inputs, saved as OpenVINO IR (.xml + .bin).

With labels and a metric where higher is better (top-1, accuracy, ...), the accuracy-
controlled mode is used instead: `nncf.quantize_with_accuracy_control` reverts the most
sensitive layers to float until the metric drops by no more than the search's accuracy
budget. The search then judges the result like any variant (fidelity against the original
under the reference runtime), so the budget holds either way. Runs in the gate's isolated
child with a time limit, like every pass (optimize/build.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx

from mlgate.bench.inputs import Batch
from mlgate.isolation import ChildChannel
from mlgate.optimize.build import Built, build_in_child, failure, quiet
from mlgate.optimize.model_contents import op_counts

LOWER_IS_BETTER = ("mse", "mae")
_PRELOAD: tuple[str, ...] = ()  # not in the forkserver: OpenVINO starts threads


@dataclass(frozen=True)
class AccuracyControl:
    """The validation set and the budget for `quantize_with_accuracy_control`."""

    batches: list[Batch]
    labels: np.ndarray
    metric: str
    output: str | None
    max_drop: float  # absolute, in the metric's unit (0.005 = 0.5 points of top-1)


def controllable(metric: str, labels: np.ndarray | None) -> bool:
    """Accuracy control needs labels and a metric where higher is better."""
    return labels is not None and metric not in ("fidelity", *LOWER_IS_BETTER)


class _Compiled:
    """A compiled model behind the calls `collect_outputs` makes."""

    def __init__(self, compiled: Any) -> None:
        self.compiled = compiled
        self.display = "quantized model"
        self.output_names = [p.get_any_name() for p in compiled.outputs]

    def run(self, feeds: dict[str, np.ndarray]) -> list[Any]:
        result = self.compiled(feeds)
        return [np.asarray(result[p]) for p in self.compiled.outputs]


def _validator(control: AccuracyControl):  # type: ignore[no-untyped-def]
    from mlgate.bench.accuracy import collect_outputs, pick_output, task_metric

    def validate(compiled: Any, _data: Any) -> tuple[float, None]:
        outputs = collect_outputs(_Compiled(compiled), control.batches, check_nan=False)
        chosen = pick_output(outputs, control.output, "quantized model")
        return task_metric(control.metric, chosen, control.labels), None

    return validate


def _model_type(source: Path) -> Any:
    import nncf

    ops = set(op_counts(onnx.load(str(source), load_external_data=False)))
    transformer = {"Softmax", "MatMul"} <= ops and bool(ops & {"LayerNormalization", "Erf",
                                                               "ReduceMean"})  # fmt: skip
    return nncf.ModelType.TRANSFORMER if transformer else None


def quantize(
    source: Path,
    destination: Path,
    calibration: Sequence[dict[str, np.ndarray]],
    control: AccuracyControl | None,
) -> None:
    """Write `destination` (.xml, with its .bin beside it): the int8 model."""
    import nncf
    import openvino as ov

    model = ov.Core().read_model(str(source))
    dataset = nncf.Dataset(list(calibration))
    common = {"subset_size": max(1, len(calibration)), "model_type": _model_type(source)}
    if control is None:
        quantized = nncf.quantize(model, dataset, **common)
    else:
        quantized = nncf.quantize_with_accuracy_control(
            model, dataset, nncf.Dataset([b.feeds for b in control.batches]),
            _validator(control), max_drop=control.max_drop,
            drop_type=nncf.DropType.ABSOLUTE, **common,
        )  # fmt: skip
    ov.save_model(quantized, str(destination), compress_to_fp16=False)


def _child(
    channel: ChildChannel,
    source: Path,
    destination: Path,
    calibration: Sequence[dict[str, np.ndarray]],
    control: AccuracyControl | None,
) -> None:
    quiet()
    try:
        quantize(source, destination, calibration, control)
        channel.snapshot(("built", "") if destination.is_file() else ("failed", "wrote no model"))
    except BaseException as exc:  # NNCF's own failure: recorded, not raised
        channel.snapshot(failure(exc))


def build_int8(
    source: Path,
    destination: Path,
    calibration: Sequence[dict[str, np.ndarray]],
    control: AccuracyControl | None,
    timeout: float,
) -> Built:
    """NNCF int8 in the isolated child with a time limit."""
    if not calibration:
        return Built("skipped", None, "no calibration inputs")
    return build_in_child(
        _child,
        (source, destination, calibration, control),
        destination,
        timeout,
        ("quantizing with NNCF", "NNCF"),
        _PRELOAD,
    )
