"""OpenVINO as a runtime: the `openvino` package reads the ONNX file (or an NNCF-quantized
OpenVINO IR) and compiles it for the CPU device, with an execution precision hint and a
pinned thread count, or for its GPU device on GPU targets where OpenVINO sees one.

The compiled model reports the precision it actually runs: a bf16 hint on a CPU without
bf16 instructions may silently run fp32, so `OpenVinoRunner.precision` is what was
applied, read back, not what was asked."""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mlgate.bench.runtimes.base import (
    GPU_PROVIDERS,
    LoadOptions,
    cpu_flags,
    native_cpu_precision,
)
from mlgate.bench.session import InputSpec, Target
from mlgate.errors import ModelError
from mlgate.results.deployment import OpenVinoSettings, Precision, RuntimeName

HINTS: dict[Precision, str] = {"fp32": "f32", "bf16": "bf16", "fp16": "f16", "int8": "f32"}
_APPLIED: dict[str, Precision] = {"f32": "fp32", "bf16": "bf16", "f16": "fp16"}
_ORT_TYPES = {"f32": "tensor(float)", "f16": "tensor(float16)", "f64": "tensor(double)",
              "i64": "tensor(int64)", "i32": "tensor(int32)", "i16": "tensor(int16)",
              "i8": "tensor(int8)", "u8": "tensor(uint8)", "u16": "tensor(uint16)",
              "u32": "tensor(uint32)", "u64": "tensor(uint64)", "boolean": "tensor(bool)",
              "string": "tensor(string)"}  # fmt: skip


def _one_line(exc: BaseException) -> str:
    """OpenVINO's message without its C++ source locations, on one line, bounded."""
    text = " ".join(str(exc).split())
    text = re.sub(r"Exception from \S+:\d+:\s*", "", text)
    return text[:400]


class OpenVinoRunner:
    """A compiled model and one infer request: the calls of an onnxruntime `Session`."""

    def __init__(self, compiled: Any, display: str, precision: Precision) -> None:
        self._compiled = compiled
        self.request = compiled.create_infer_request()
        self.display = display
        self.precision = precision  # what the compiled model runs, read back
        self.inputs = [
            InputSpec(
                port.get_any_name(),
                _ORT_TYPES.get(port.get_element_type().get_type_name(), "tensor(float)"),
                tuple(d.get_length() if d.is_static else None for d in port.get_partial_shape()),
            )
            for port in compiled.inputs
        ]
        self.output_names = [_port_name(port, i) for i, port in enumerate(compiled.outputs)]

    def run(self, feeds: dict[str, np.ndarray], hint: str = "") -> list[Any]:
        try:
            result = self.request.infer(feeds)
        except Exception as exc:  # OpenVINO raises RuntimeError with C++ source paths
            tail = f"; {hint}" if hint else ""
            raise ModelError(
                f"{self.display}: OpenVINO inference failed: {_one_line(exc)}{tail}"
            ) from None
        return [np.asarray(result[port]) for port in self._compiled.outputs]

    def runner(self, feeds: dict[str, np.ndarray]) -> Callable[[], Any]:
        return functools.partial(self.request.infer, feeds, share_inputs=True)


def _port_name(port: Any, index: int) -> str:
    try:
        name: str = port.get_any_name()
    except RuntimeError:  # an output without a tensor name
        return f"output_{index}"
    return name


@functools.cache
def _core(package: str) -> Any:
    return importlib.import_module(package).Core()


@dataclass(frozen=True)
class OpenVino:
    package: str = "openvino"

    @property
    def name(self) -> RuntimeName:
        return "openvino"

    def version(self) -> str:
        version: str = importlib.import_module(self.package).__version__
        return version.split("-")[0]

    def device(self, providers: tuple[str, ...]) -> str:
        return "GPU" if any(p in GPU_PROVIDERS for p in providers) else "CPU"

    def available(self, target: Target) -> str | None:
        try:
            core = _core(self.package)
        except ImportError as exc:
            return (
                f"the {self.package} package is not installed ({exc.msg}); "
                "pip install 'ml-efficiency-gate[openvino]'"
            )
        device = self.device(tuple(target.providers))
        devices = list(core.available_devices)
        if not any(d.split(".")[0] == device for d in devices):
            return f"OpenVINO has no {device} device here (devices: {', '.join(devices)})"
        return None

    def precision_available(self, target: Target, precision: Precision) -> str | None:
        device = self.device(tuple(target.providers))
        capabilities = [str(c) for c in _core(self.package).get_property(
            device, "OPTIMIZATION_CAPABILITIES")]  # fmt: skip
        if device == "CPU":
            return native_cpu_precision(precision, cpu_flags(), capabilities)
        if precision in ("fp32", "int8") or precision.upper() in capabilities:
            return None
        return f"{precision} not native on OpenVINO's {device} ({', '.join(capabilities)})"

    def describe(self, options: LoadOptions) -> OpenVinoSettings:
        device = self.device(options.providers)
        properties: dict[str, str | int | float | bool] = {
            "INFERENCE_PRECISION_HINT": HINTS[options.precision],
            "PERFORMANCE_HINT": "LATENCY",
        }
        if device == "CPU":
            properties |= {
                "INFERENCE_NUM_THREADS": options.threads,
                "NUM_STREAMS": 1,
                "ENABLE_CPU_PINNING": False,  # shares the process with the reference session
            }
        return OpenVinoSettings(device, properties)

    def profile(
        self, path: Path, options: LoadOptions, feeds: dict[str, np.ndarray], runs: int
    ) -> dict[str, float]:
        """Per op type, from OpenVINO's performance counters (executed nodes only; their
        `exec_type`, e.g. `jit_avx2_f32`, shows the kernel and precision that ran)."""
        runner = self.load(path, options, path.name, {"PERF_COUNT": True})
        request = runner.request
        totals: dict[str, float] = {}
        for index in range(2 + runs):  # two warm-up runs, not counted
            request.infer(feeds)
            if index < 2:
                continue
            for info in request.get_profiling_info():
                if str(info.status).endswith("EXECUTED"):
                    seconds = info.real_time.total_seconds()
                    totals[info.node_type] = totals.get(info.node_type, 0.0) + seconds
        return {op: seconds * 1e3 / runs for op, seconds in totals.items()}

    def load(
        self, path: Path, options: LoadOptions, display: str,
        extra: dict[str, str | int | float | bool] | None = None,
    ) -> OpenVinoRunner:  # fmt: skip
        settings = self.describe(options)
        try:
            compiled = _core(self.package).compile_model(
                str(path), settings.device, {**settings.properties, **(extra or {})}
            )
        except Exception as exc:  # OpenVINO raises RuntimeError with C++ source paths
            raise ModelError(f"OpenVINO cannot compile {display}: {_one_line(exc)}") from None
        applied = compiled.get_property("INFERENCE_PRECISION_HINT").get_type_name()
        precision = "int8" if options.precision == "int8" else _APPLIED.get(applied, "fp32")
        return OpenVinoRunner(compiled, display, precision)
