"""The `targets` section: where and how each target measures (runner, providers, threads,
runtimes) and what its time, energy and carbon cost."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mlgate.config.base import Strict


class TargetConfig(Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=64)]
    runs_on: str | list[str] = "ubuntu-latest"
    providers: list[str] = Field(default_factory=lambda: ["CPUExecutionProvider"], min_length=1)
    threads: Annotated[int, Field(gt=0, le=256)] = Field(1, description="intra-op threads")
    runtimes: list[Literal["onnxruntime", "openvino"]] | None = Field(
        None,
        min_length=1,
        description="runtimes the variant search tries (default: every one installed)",
    )
    allow_missing: bool = Field(False, description="a missing provider skips instead of failing")
    price_per_hour: Annotated[float, Field(ge=0, le=1e6)] | None = Field(
        None, description="$ per runner hour, for cost per million inferences"
    )
    carbon_intensity: Annotated[float, Field(ge=0, le=1e5)] | None = Field(
        None, description="grid intensity in gCO2e/kWh, for carbon per million inferences"
    )
    watts_per_core: Annotated[float, Field(gt=0, le=1000)] | None = Field(
        None, description="busy-core power for the `estimated` energy method (no meter)"
    )
    price_per_core_hour: Annotated[float, Field(ge=0, le=1e6)] | None = Field(
        None,
        description="$ per core-hour, for right-sizing: cost per million inferences at each "
        "thread count (default: price_per_hour over the runner's cores; neither: core-seconds)",
    )
