"""The `limits` and `energy` sections: what the gate will load and how it isolates a model's
measurement, and how energy is measured where a meter exists."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mlgate.config.base import ONE_DAY, ONE_PIB_MB, Strict


class EnergyConfig(Strict):
    measure: bool = Field(True, description="measure energy where a meter (RAPL, NVML) exists")
    window_seconds: Annotated[float, Field(gt=0, le=60)] = Field(
        0.5, description="length of one measurement window"
    )
    windows: Annotated[int, Field(ge=2, le=1000)] = Field(
        8, description="windows per model (ABBA order); 4 or more are gated"
    )


class LimitsConfig(Strict):
    model_size_mb: Annotated[float, Field(gt=0, le=ONE_PIB_MB)] = Field(
        2048.0, description="largest model file (external data included) to load"
    )
    data_size_mb: Annotated[float, Field(gt=0, le=ONE_PIB_MB)] = Field(
        1024.0, description="largest eval file"
    )
    isolate: bool = Field(
        True, description="measure each model in a child process (crash and hang isolation)"
    )
    timeout_seconds: Annotated[float, Field(gt=0, le=ONE_DAY)] = Field(
        1800.0, description="per model: a child still running after this is stopped"
    )
    memory_mb: Annotated[int, Field(ge=0, le=ONE_PIB_MB)] | None = Field(
        None,
        description="the most that weights plus inputs at their declared or configured "
        "shapes may take, and the child's address-space limit (plus 4 GiB for the runtime); "
        "unset: the machine's memory (RAM or cgroup limit) less 4 GiB, and a larger value is "
        "capped to that; 0: no limit",
    )
    allow_domains: list[str] = Field(
        default_factory=list,
        description="custom op domains to accept (default: only ai.onnx, ai.onnx.ml, "
        "com.microsoft)",
    )
