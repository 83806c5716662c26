"""Quantization passes on onnxruntime's quantizer: its pre-processing, dynamic int8 and
static int8 calibrated on the eval (or synthetic) inputs.

Measured on real models (see docs/optimize.md): static int8 with per-channel weights after
an opset-13 upgrade and onnxruntime's pre-processing wins on large CNNs; dynamic int8 wins on
transformers and LSTMs but often misses fidelity. The search decides by measurement, never
by op types."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import onnx

from mlgate.optimize.model_contents import nothing_to_quantize, opset
from mlgate.optimize.pass_api import PassContext


@dataclass(frozen=True)
class QuantPreprocess:
    """onnxruntime's quantization pre-processing: symbolic shape inference and graph cleanup,
    so the quantizer sees shapes and fuses Conv+BN before calibration."""

    name: str = "quant-preprocess"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        return nothing_to_quantize(model)

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        from onnxruntime.quantization import quant_pre_process

        try:
            quant_pre_process(str(source), str(destination))
        except Exception:  # symbolic shape inference fails on some graphs: without it
            quant_pre_process(str(source), str(destination), skip_symbolic_shape=True)


WeightType = Literal["int8", "uint8"]


@dataclass(frozen=True)
class DynamicInt8:
    """Weights in int8, activations quantized on the fly (MatMul, Gemm, LSTM, Attention)."""

    weights: WeightType = "int8"

    @property
    def name(self) -> str:
        return f"dynamic-{self.weights}"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        return nothing_to_quantize(model)

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        kind = QuantType.QInt8 if self.weights == "int8" else QuantType.QUInt8
        quantize_dynamic(str(source), str(destination), weight_type=kind)


Calibration = Literal["minmax", "entropy", "percentile"]


class _Reader:
    """onnxruntime's CalibrationDataReader protocol over a list of feeds."""

    def __init__(self, feeds: Sequence[dict[str, np.ndarray]]) -> None:
        self._feeds = iter(list(feeds))

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._feeds, None)


@dataclass(frozen=True)
class StaticInt8:
    """Static int8 calibrated on the eval (or synthetic) inputs: QDQ or QOperator format,
    int8 or uint8 activations, per-tensor or per-channel weights, and a calibration method."""

    format: Literal["qdq", "qoperator"] = "qdq"
    activations: WeightType = "uint8"
    per_channel: bool = True
    calibration: Calibration = "minmax"

    @property
    def name(self) -> str:
        channel = "per-channel" if self.per_channel else "per-tensor"
        return f"static-{self.format}-{self.activations}-{channel}-{self.calibration}"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        if not context.calibration:
            return "no calibration inputs"
        reason = nothing_to_quantize(model)
        if reason is None and self.per_channel and opset(model) < 13:
            return f"per-channel QDQ needs opset 13 or newer (the model has {opset(model)})"
        return reason

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        from onnxruntime.quantization import (
            CalibrationMethod,
            QuantFormat,
            QuantType,
            quantize_static,
        )

        quantize_static(
            str(source),
            str(destination),
            _Reader(context.calibration),
            quant_format=QuantFormat.QDQ if self.format == "qdq" else QuantFormat.QOperator,
            per_channel=self.per_channel,
            activation_type=QuantType.QUInt8 if self.activations == "uint8" else QuantType.QInt8,
            weight_type=QuantType.QInt8,
            calibrate_method={
                "minmax": CalibrationMethod.MinMax,
                "entropy": CalibrationMethod.Entropy,
                "percentile": CalibrationMethod.Percentile,
            }[self.calibration],
            calibration_providers=["CPUExecutionProvider"],
        )
