"""The `models` section: which model files are gated (a path or glob), their eval data and
task metric, concrete input shapes and per-model threshold overrides."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, field_validator

from mlgate.config.base import MAX_DIM, Strict, floats_as_text

EVAL_METRICS = "top1, topk:K (e.g. topk:5), mse, mae, cosine, fidelity"
_EVAL_METRIC = re.compile(r"^(top1|topk:[1-9]\d*|mse|mae|cosine|fidelity)$")


class EvalConfig(Strict):
    data: str | None = Field(None, description="`.npz` with one array per model input + `labels`")
    metric: str = Field("top1", description=f"task metric: {EVAL_METRICS}")
    output: str | None = Field(None, description="output the metric reads (default: first)")
    labels: str = Field("labels", description="name of the labels array in the `.npz`")
    batch_size: Annotated[int, Field(gt=0, le=MAX_DIM)] | None = Field(
        None, description="split inputs along axis 0 into batches of this size"
    )

    @field_validator("metric")
    @classmethod
    def _metric(cls, value: str) -> str:
        if not _EVAL_METRIC.match(value):
            raise ValueError(f"'{value}' is not a metric; use one of {EVAL_METRICS}")
        return value


class ModelConfig(Strict):
    path: str = Field(description="model path or glob (`models/**/*.onnx`), relative to the repo")

    eval: EvalConfig = EvalConfig()
    inputs: dict[str, list[Annotated[int, Field(gt=0, le=MAX_DIM)]]] = Field(
        default_factory=dict, description="concrete shapes for inputs with dynamic dims"
    )
    thresholds: dict[str, bool | str | float | None] = Field(
        default_factory=dict, description="per-model threshold overrides (`off` disables)"
    )

    @field_validator("thresholds", mode="before")
    @classmethod
    def _numbers_as_text(cls, value: Any) -> Any:
        return floats_as_text(value)
