"""The pass interface: a pure transform that reads one model file and writes a new one,
never touching its input; `supports` says, before any work, whether it can apply to this
model on this target, and why not. With the context a pass may use, and the model file I/O
the passes share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import onnx

GPU_PROVIDERS = ("CUDAExecutionProvider", "TensorrtExecutionProvider", "DmlExecutionProvider",
                 "ROCMExecutionProvider", "CoreMLExecutionProvider")  # fmt: skip


@dataclass(frozen=True)
class PassContext:
    """What a pass may use: the target's providers, and calibration inputs for static
    quantization (feeds of the eval data or seeded synthetic inputs)."""

    providers: tuple[str, ...] = ("CPUExecutionProvider",)
    calibration: Sequence[dict[str, np.ndarray]] = field(default_factory=list)


class Pass(Protocol):
    @property
    def name(self) -> str: ...

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        """None when the pass can apply; else why not, in a few words."""

    def apply(self, source: Path, destination: Path, context: PassContext) -> None: ...


def load_model(path: Path) -> onnx.ModelProto:
    return onnx.load(str(path), load_external_data=True)


def save_model(model: onnx.ModelProto, path: Path) -> None:
    size = model.ByteSize()
    onnx.save(model, str(path), save_as_external_data=size > 1_900_000_000)
