"""The one place that opens onnxruntime sessions for a target, and asks the runtime what it
supports. Thread counts are pinned and spinning is off, so base and head sessions living in
one process do not steal cycles from each other."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper

from mlgate.errors import ModelError, TargetError
from mlgate.model.load import RuntimeLimits

ort.set_default_logger_severity(4)  # fatal only: we report errors ourselves, in one line

ORT_TO_NUMPY: dict[str, Any] = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int64)": np.int64,
    "tensor(int32)": np.int32,
    "tensor(int16)": np.int16,
    "tensor(int8)": np.int8,
    "tensor(uint64)": np.uint64,
    "tensor(uint32)": np.uint32,
    "tensor(uint16)": np.uint16,
    "tensor(uint8)": np.uint8,
    "tensor(bool)": np.bool_,
    "tensor(string)": np.str_,
}


@dataclass(frozen=True)
class InputSpec:
    name: str
    type: str  # onnxruntime's type string, e.g. "tensor(float)"
    shape: tuple[int | str | None, ...]

    @property
    def dtype(self) -> Any:
        return ORT_TO_NUMPY.get(self.type)


@dataclass(frozen=True)
class Target:
    name: str
    providers: tuple[str, ...]
    threads: int
    runtimes: tuple[str, ...] | None = None  # the runtimes the search tries; None: all


DEFAULT_HINT = "check that the eval data or the configured input shapes fit the model"


class Session:
    """An onnxruntime session for one model on one target."""

    def __init__(self, inner: ort.InferenceSession, display: str) -> None:
        self._inner = inner
        self.display = display
        self.inputs = [InputSpec(i.name, i.type, tuple(i.shape)) for i in inner.get_inputs()]
        self.output_names = [o.name for o in inner.get_outputs()]
        self.providers = list(inner.get_providers())

    def run(self, feeds: dict[str, np.ndarray], hint: str = DEFAULT_HINT) -> list[Any]:
        try:
            outputs: list[Any] = self._inner.run(self.output_names, feeds)
            return outputs
        except Exception as exc:  # onnxruntime raises its own, unexported exception types
            raise ModelError(
                f"{self.display}: inference failed: {runtime_message(exc)}; {hint}"
            ) from None

    def runner(self, feeds: dict[str, np.ndarray]) -> Callable[[], Any]:
        """A zero-argument call for the timing loop: no lookups left inside the loop."""
        return functools.partial(self._inner.run, self.output_names, feeds)


def runtime_message(exc: BaseException) -> str:
    """onnxruntime's message without its source-path prefix, on one line, bounded."""
    text = " ".join(str(exc).split())
    text = re.sub(r"^\[ONNXRuntimeError\] : \d+ : \w+ : ", "", text)
    text = re.sub(r"/onnxruntime_src/\S+ ", "", text)
    return text[:400]


def runtime_version() -> str:
    version: str = ort.__version__
    return version


def available_providers() -> list[str]:
    return list(ort.get_available_providers())


def check_target(target: Target) -> None:
    """Raise `TargetError` when a provider the target names is not installed."""
    installed = available_providers()
    missing = [p for p in target.providers if p not in installed]
    if missing:
        raise TargetError(
            f"target '{target.name}' needs {', '.join(missing)}, but this onnxruntime "
            f"{runtime_version()} provides only {', '.join(installed)}; install the matching "
            "onnxruntime package (e.g. onnxruntime-gpu) or run this target on another runner"
        )


def session_options(threads: int) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 4
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def open_session(path: Path, target: Target, display: str) -> Session:
    try:
        inner = ort.InferenceSession(
            str(path),
            sess_options=session_options(target.threads),
            providers=list(target.providers),
        )
    except Exception as exc:  # onnxruntime raises its own, unexported exception types
        raise ModelError(f"onnxruntime cannot load {display}: {runtime_message(exc)}") from None
    return Session(inner, display)


# ---- probing what the runtime reads ---------------------------------------------------------


def _probe_model(ir_version: int, opsets: dict[str, int]) -> bytes:
    node = helper.make_node("Identity", ["x"], ["y"])
    graph = helper.make_graph(
        [node],
        "probe",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    model = helper.make_model(
        graph, opset_imports=[helper.make_opsetid(d, v) for d, v in opsets.items()]
    )
    model.ir_version = ir_version
    data: bytes = model.SerializeToString()
    return data


def _loads(data: bytes) -> bool:
    try:
        ort.InferenceSession(
            data, sess_options=session_options(1), providers=["CPUExecutionProvider"]
        )
    except Exception:  # onnxruntime raises its own, unexported exception types
        return False
    return True


def _highest(accepts: Callable[[int], bool], low: int, high: int) -> int:
    """Largest value in [low, high] that `accepts`, assuming acceptance is monotone."""
    while low < high:
        mid = (low + high + 1) // 2
        if accepts(mid):
            low = mid
        else:
            high = mid - 1
    return low


@functools.cache
def runtime_limits() -> RuntimeLimits:
    """Highest IR version and ai.onnx / ai.onnx.ml opsets the installed runtime loads.

    Probed with tiny models (a few ms) rather than read from a table, so the check stays
    right for whichever onnxruntime is installed."""
    base_opset = 13
    ir = _highest(lambda v: _loads(_probe_model(v, {"": base_opset})), 7, onnx.IR_VERSION + 4)
    ir_for_probe = min(ir, onnx.IR_VERSION)
    onnx_opset = _highest(
        lambda v: _loads(_probe_model(ir_for_probe, {"": v})),
        base_opset,
        onnx.defs.onnx_opset_version() + 4,
    )
    ml_opset = _highest(
        lambda v: _loads(_probe_model(ir_for_probe, {"": base_opset, "ai.onnx.ml": v})), 1, 12
    )
    return RuntimeLimits(
        runtime=f"onnxruntime {ort.__version__}",
        max_ir_version=ir,
        max_opsets={"": onnx_opset, "ai.onnx.ml": ml_opset},
    )
