"""How to run a model: the runtime, its settings and the model file, as the variant search
recommends it and as `mlgate optimize --out DIR` writes it to `DIR/deployment.json`.

One record for every runtime, so the search, the portability check and the comment treat an
onnxruntime session and an OpenVINO compiled model alike. Exactly one of `onnxruntime` and
`openvino` is set, the one `runtime` names."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

RuntimeName = Literal["onnxruntime", "openvino"]
Precision = Literal["fp32", "fp16", "bf16", "int8"]

DEPLOYMENT_FILE = "deployment.json"


@dataclass(frozen=True)
class OnnxRuntimeSettings:
    """`providers` in priority order; `session_options` names `onnxruntime.SessionOptions`
    attributes (`graph_optimization_level` as its enum name, e.g. "ORT_ENABLE_ALL")."""

    providers: list[str]
    session_options: dict[str, str | int | float | bool] = field(default_factory=dict)


@dataclass(frozen=True)
class OpenVinoSettings:
    """`device` as `openvino.Core.compile_model` takes it ("CPU", "GPU"); `properties` are
    OpenVINO property names and values (e.g. INFERENCE_PRECISION_HINT: "bf16")."""

    device: str
    properties: dict[str, str | int | float | bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Deployment:
    """A measured way to run one model on one target. `speedup` is the original model's
    median latency under the reference runtime (onnxruntime, full graph optimization) over
    this deployment's, from an interleaved A/B in one process; `fidelity` holds the
    agreement with the original's outputs (cosine, max_abs_diff, top1_agreement, ...)."""

    runtime: RuntimeName
    runtime_version: str
    model: str  # file name, relative to the folder deployment.json is in
    precision: Precision
    threads: int
    speedup: float | None = None
    speedup_ci: tuple[float, float] | None = None
    fidelity: dict[str, float | None] = field(default_factory=dict)
    passes: list[str] = field(default_factory=list)  # graph passes applied to the model file
    onnxruntime: OnnxRuntimeSettings | None = None
    openvino: OpenVinoSettings | None = None

    def __post_init__(self) -> None:
        settings = {"onnxruntime": self.onnxruntime, "openvino": self.openvino}
        given = [name for name, value in settings.items() if value is not None]
        if given != [self.runtime]:
            raise ValueError(
                f"a {self.runtime} deployment carries settings for {self.runtime} only, "
                f"not {given or 'none'}"
            )

    def to_json(self) -> dict[str, object]:
        """The deployment.json document: unset runtime sections left out."""
        document = dataclasses.asdict(self)
        return {key: value for key, value in document.items() if value is not None}
