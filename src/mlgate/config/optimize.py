"""The `optimize` section: the variant search's budget, its A/B times and the fidelity a
variant must keep; drift, portability and right-sizing."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mlgate.config.base import ONE_DAY, Strict


class OptimizeConfig(Strict):
    enabled: bool = Field(True, description="search for a faster variant of each head model")
    budget_seconds: Annotated[float, Field(ge=0, le=ONE_DAY)] | None = Field(
        None,
        description="time for the whole search, per model and target; null (default): what "
        "is left of `bill_seconds` after measuring, at least `min_budget_seconds`; 0: off",
    )
    bill_seconds: Annotated[float, Field(gt=0, le=ONE_DAY)] = Field(
        180.0, description="what one model on one target may cost, search included (default)"
    )
    min_budget_seconds: Annotated[float, Field(gt=0, le=ONE_DAY)] = Field(
        20.0, description="the search's floor when measuring took most of the bill"
    )
    build_timeout_seconds: Annotated[float, Field(gt=0, le=ONE_DAY)] = Field(
        120.0, description="one variant's passes; a build still running is stopped"
    )
    screen_seconds: Annotated[float, Field(gt=0, le=ONE_DAY)] = Field(
        3.0,
        description="short A/B per variant, at least (a slow model gets more); clearly slower "
        "variants stop here",
    )
    final_seconds: Annotated[float, Field(gt=0, le=ONE_DAY)] = Field(
        10.0,
        description="full A/B of each finalist against the original, at least (a slow model "
        "gets the time 4 session pairs need)",
    )
    min_speedup: Annotated[float, Field(ge=1, le=1000)] = Field(
        1.0, description="recommend only at least this speedup (and its interval above 1)"
    )
    min_cosine: Annotated[float, Field(ge=-1, le=1)] = Field(
        0.99, description="fidelity: worst output cosine against the original"
    )
    max_accuracy_drop: Annotated[float, Field(ge=0, le=1e6)] = Field(
        0.5, description="fidelity: task-metric drop in points (relative % for mse/mae)"
    )
    max_relative_diff: Annotated[float, Field(gt=0, le=1e6)] | None = Field(
        0.5, description="fidelity: max abs diff over the original's output range (null: off)"
    )
    drift: Literal["warn", "fail", "off"] = Field(
        "warn", description="a head that loses a fusion or placement the base had"
    )
    portability: Literal["warn", "fail", "off"] = Field(
        "warn",
        description="a head that breaks the base's recommended deployment (cannot run, falls "
        "back to another provider, loses fidelity or its speedup); the base's deployment comes "
        "from the search cache",
    )
    right_size_threads: Annotated[int, Field(ge=0, le=256)] = Field(
        8,
        description="right-sizing: time the recommended deployment at 1..N threads, N the "
        "cores available capped at this (0: off)",
    )
    slo_ms: Annotated[float, Field(gt=0, le=1e7)] | None = Field(
        None,
        description="latency objective per call, in ms: the cheapest target and thread count "
        "whose p90 (its whole interval) stays under it",
    )

    def search_seconds(self, spent: float = 0.0) -> float:
        """The search's budget once measuring this model on this target took `spent`
        seconds: the configured one, else what is left of the bill (at least the floor)."""
        if self.budget_seconds is not None:
            return self.budget_seconds
        return max(self.min_budget_seconds, self.bill_seconds - spent)
