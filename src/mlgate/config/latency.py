"""The `latency` section: how long and how finely the interleaved A/B samples."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from mlgate.config.base import Strict


class LatencyConfig(Strict):
    budget_seconds: Annotated[float, Field(gt=0, le=3600)] = Field(
        30.0, description="per model and target; adaptive sampling usually stops earlier"
    )
    min_seconds: Annotated[float, Field(ge=0, le=600)] = Field(
        1.0, description="always sample at least this long (after warm-up)"
    )
    warmup_seconds: Annotated[float, Field(ge=0, le=600)] = 0.5
    segment_seconds: Annotated[float, Field(gt=0, le=600)] = Field(
        0.25, description="sessions are re-created after this long (memory-layout averaging)"
    )
    min_segments: Annotated[int, Field(ge=2, le=10_000)] = Field(
        8, description="fresh session pairs to measure before sampling may stop"
    )
    max_budget_seconds: Annotated[float, Field(gt=0, le=3600)] | None = Field(
        None,
        description="the most a slow or undecided run samples for (default: 3 x "
        "budget_seconds, so 90 s); the budget is raised from the model's measured cost so "
        "that the default thresholds can be decided (an explicit --budget-seconds is a cap)",
    )
    min_blocks: Annotated[int, Field(ge=1, le=1000)] = Field(
        2, description="ABBA blocks (4 calls each) per session segment, at least"
    )
    confidence: Annotated[float, Field(gt=0.5, lt=1.0)] = 0.95
    max_pairs: Annotated[int, Field(ge=64, le=100_000_000)] = 200_000
