"""Open a model the way a `Deployment` says: its runtime, its settings, its thread count.

The one place that turns a deployment record into a running session, for the right-sizing
timer, the portability check and `mlgate.deploy.load`. An onnxruntime deployment is an
onnxruntime session with the recorded session options (the graph optimization level among
them: the deployment ships the passes' output, and onnxruntime optimizes it for the CPU it
lands on); an OpenVINO deployment is a compiled model on the recorded device with the
recorded properties."""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from mlgate.bench.session import InputSpec, Session, runtime_message
from mlgate.errors import ModelError, TargetError
from mlgate.results.deployment import Deployment, OnnxRuntimeSettings, OpenVinoSettings

_ENUMS: dict[str, Any] = {
    "graph_optimization_level": ort.GraphOptimizationLevel,
    "execution_mode": ort.ExecutionMode,
}
# What a deployment may set. deployment.json (and a cached search) is read as untrusted
# input: options such as `optimized_model_filepath`, `profile_file_prefix` or OpenVINO's
# CACHE_DIR would make the runtime write files wherever the record says.
_ORT_NUMBERS = ("intra_op_num_threads", "inter_op_num_threads")
_ORT_SWITCHES = ("enable_cpu_mem_arena", "enable_mem_pattern", "enable_mem_reuse")
_ORT_ENTRIES = (
    "session.intra_op.allow_spinning",
    "session.inter_op.allow_spinning",
    "session.set_denormal_as_zero",
)
_OV_CHOICES: dict[str, tuple[str, ...]] = {
    "INFERENCE_PRECISION_HINT": ("f32", "bf16", "f16"),
    "PERFORMANCE_HINT": ("LATENCY", "THROUGHPUT", "CUMULATIVE_THROUGHPUT"),
    "EXECUTION_MODE_HINT": ("PERFORMANCE", "ACCURACY"),
}
_OV_NUMBERS = ("INFERENCE_NUM_THREADS", "NUM_STREAMS")
_OV_SWITCHES = ("ENABLE_CPU_PINNING", "ENABLE_HYPER_THREADING")
MAX_THREADS = 1024


def _count(owner: str, key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_THREADS:
        raise ModelError(f"{owner} {key}: {value!r} is not a count from 0 to {MAX_THREADS}")
    return value


def _switch(owner: str, key: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ModelError(f"{owner} {key}: {value!r} is not true or false")
    return value


def _choice(owner: str, key: str, value: object, choices: tuple[str, ...]) -> str:
    if str(value) not in choices:
        raise ModelError(f"{owner} {key}: {value!r} is not one of {', '.join(choices)}")
    return str(value)


def _unknown(owner: str, key: str, allowed: tuple[str, ...]) -> ModelError:
    return ModelError(
        f"{owner} {key[:80]!r} is not one a deployment may set (allowed: {', '.join(allowed)})"
    )


def ort_session_options(
    settings: OnnxRuntimeSettings, threads: int | None = None
) -> ort.SessionOptions:
    """`session_options` as onnxruntime takes them: attribute names (enums by their name,
    e.g. "ORT_ENABLE_ALL"), and dotted keys as session config entries
    ("session.intra_op.allow_spinning": "0"); `threads` overrides the intra-op count. Only
    the options above are accepted, each checked for its type and range."""
    options = ort.SessionOptions()
    options.log_severity_level = 4
    owner = "session option"
    for key, value in settings.session_options.items():
        if key in _ORT_ENTRIES:
            options.add_session_config_entry(key, _choice(owner, key, value, ("0", "1")))
        elif key in _ENUMS:
            member = _choice(owner, key, value, tuple(_ENUMS[key].__members__))
            setattr(options, key, _ENUMS[key].__members__[member])
        elif key in _ORT_NUMBERS:
            setattr(options, key, _count(owner, key, value))
        elif key in _ORT_SWITCHES:
            setattr(options, key, _switch(owner, key, value))
        else:
            raise _unknown(owner, key, (*_ENUMS, *_ORT_NUMBERS, *_ORT_SWITCHES, *_ORT_ENTRIES))
    if threads is not None:
        options.intra_op_num_threads = threads
    return options


def openvino_properties(settings: OpenVinoSettings) -> dict[str, str | int | bool]:
    """The recorded properties, each one a deployment may set, checked for type and range."""
    owner = "OpenVINO property"
    checked: dict[str, str | int | bool] = {}
    for key, value in settings.properties.items():
        if key in _OV_CHOICES:
            checked[key] = _choice(owner, key, value, _OV_CHOICES[key])
        elif key in _OV_NUMBERS:
            checked[key] = _count(owner, key, value)
        elif key in _OV_SWITCHES:
            checked[key] = _switch(owner, key, value)
        else:
            raise _unknown(owner, key, (*_OV_CHOICES, *_OV_NUMBERS, *_OV_SWITCHES))
    return checked


def open_onnxruntime(
    path: Path, settings: OnnxRuntimeSettings, display: str, threads: int | None = None
) -> Session:
    missing = [p for p in settings.providers if p not in ort.get_available_providers()]
    if missing:
        raise TargetError(
            f"{display}: the deployment needs {', '.join(missing)}, which this onnxruntime "
            f"{ort.__version__} does not provide"
        )
    try:
        inner = ort.InferenceSession(
            str(path), ort_session_options(settings, threads), providers=list(settings.providers)
        )
    except Exception as exc:  # onnxruntime raises its own, unexported exception types
        raise ModelError(f"onnxruntime cannot load {display}: {runtime_message(exc)}") from None
    return Session(inner, display)


_OV_TYPES = {"f32": "tensor(float)", "f16": "tensor(float16)", "i64": "tensor(int64)",
             "i32": "tensor(int32)", "u8": "tensor(uint8)", "i8": "tensor(int8)",
             "boolean": "tensor(bool)", "f64": "tensor(double)"}  # fmt: skip


class OpenVinoSession(Session):
    """An OpenVINO compiled model behind the same calls as an onnxruntime `Session`."""

    def __init__(self, compiled: Any, display: str, device: str) -> None:
        self._compiled = compiled
        self.display = display
        self.inputs = [
            InputSpec(
                port.get_any_name(),
                _OV_TYPES.get(port.get_element_type().get_type_name(), "tensor(float)"),
                tuple(d.get_length() if d.is_static else None for d in port.get_partial_shape()),
            )
            for port in compiled.inputs
        ]
        self.output_names = [port.get_any_name() for port in compiled.outputs]
        self.providers = [f"OpenVINO:{device}"]

    def run(self, feeds: dict[str, np.ndarray], hint: str = "") -> list[Any]:
        try:
            result = self._compiled(feeds)
        except Exception as exc:  # OpenVINO raises RuntimeError with C++ source paths
            message = " ".join(str(exc).split())[-300:]
            raise ModelError(f"{self.display}: OpenVINO inference failed: {message}") from None
        return [np.asarray(result[port]) for port in self._compiled.outputs]

    def runner(self, feeds: dict[str, np.ndarray]) -> Callable[[], Any]:
        return functools.partial(self._compiled, feeds)


def open_openvino(
    path: Path, settings: OpenVinoSettings, display: str, threads: int | None = None
) -> Session:
    try:
        ov = importlib.import_module("openvino")
    except ImportError:
        raise TargetError(
            f"{display}: the deployment runs on OpenVINO, which is not installed here "
            "(pip install 'ml-efficiency-gate[openvino]')"
        ) from None
    properties: dict[str, Any] = openvino_properties(settings)
    core = ov.Core()
    if settings.device.split(".")[0] not in core.available_devices:
        raise TargetError(
            f"{display}: OpenVINO device {settings.device} is absent here "
            f"(devices: {', '.join(core.available_devices)})"
        )
    if threads is not None:
        properties["INFERENCE_NUM_THREADS"] = threads
    try:
        compiled = core.compile_model(str(path), settings.device, properties)
    except Exception as exc:  # OpenVINO raises RuntimeError with C++ source paths
        text = " ".join(str(exc).split())
        message = re.sub(r"^.*?(?:Failure|failed): ", "", text)[:300]
        raise ModelError(f"OpenVINO cannot compile {display}: {message}") from None
    return OpenVinoSession(compiled, display, settings.device)


def open_deployed(
    path: Path, deployment: Deployment, display: str, threads: int | None = None
) -> Session:
    """A session for the model at `path` run as `deployment` says; `threads` overrides the
    recorded thread count (right-sizing)."""
    count = threads if threads is not None else deployment.threads
    if deployment.onnxruntime is not None:
        return open_onnxruntime(path, deployment.onnxruntime, display, count)
    if deployment.openvino is not None:
        return open_openvino(path, deployment.openvino, display, count)
    raise ModelError(f"{display}: the deployment names no runtime settings")
