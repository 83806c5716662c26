"""Passes that misbehave the ways real ones do: raise, hang, or do nothing."""

from __future__ import annotations

import os
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import onnx

from mlgate.optimize.pass_api import PassContext


@dataclass(frozen=True)
class Raises:
    name: str = "raises"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        raise RuntimeError("weights are not initializers")


@dataclass(frozen=True)
class Hangs:
    name: str = "hangs"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        time.sleep(3600)


@dataclass(frozen=True)
class CopiesAsStatic:
    """Named like a quantizer, changes nothing: the silent no-op."""

    name: str = "static-copy"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        shutil.copyfile(source, destination)


@dataclass(frozen=True)
class LittersWorkingDirectory:
    """Like onnxruntime's symbolic shape inference when it gives up: it saves a model into
    the current directory, then carries on."""

    name: str = "litters"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        shutil.copyfile(source, Path("sym_shape_infer_temp.onnx"))
        shutil.copyfile(source, destination)


@dataclass(frozen=True)
class Segfaults:
    """Like a quantizer that crashes onnxruntime: the process dies of a signal."""

    name: str = "segfaults"

    def supports(self, model: onnx.ModelProto, context: PassContext) -> str | None:
        return None

    def apply(self, source: Path, destination: Path, context: PassContext) -> None:
        os.kill(os.getpid(), signal.SIGSEGV)
