"""The time a gate run may spend: the latency budget per target (raised for a slow model up
to its cap), and the variant search's share of the per-model-and-target bill."""

from __future__ import annotations

import os

from mlgate.bench.latency import LatencySettings
from mlgate.compare.compare import LATENCY_QUANTILES
from mlgate.compare.stats import min_samples_for
from mlgate.compare.thresholds import Threshold
from mlgate.config import Config
from mlgate.gate.request import GateRequest


def latency_settings(
    config: Config, request: GateRequest, thresholds: dict[str, Threshold]
) -> LatencySettings:
    """The configured budget, which a slow model may raise up to `max_budget_seconds` so
    that every gated percentile gets the calls it needs (an explicit budget is a cap)."""
    latency = config.latency
    budget = request.budget_seconds or latency.budget_seconds
    cap = request.budget_seconds or max(latency.max_budget_seconds or 3 * budget, budget)
    return LatencySettings(
        budget_seconds=budget,
        min_seconds=min(latency.min_seconds, budget),
        warmup_seconds=latency.warmup_seconds,
        max_pairs=latency.max_pairs,
        segment_seconds=latency.segment_seconds,
        min_segments=latency.min_segments,
        max_budget_seconds=cap,
        min_pairs=max(
            (
                min_samples_for(quantile, latency.confidence)
                for name, quantile in LATENCY_QUANTILES.items()
                if name in thresholds
            ),
            default=0,
        ),
        min_blocks=latency.min_blocks,
    )


def optimizer_allowed() -> bool:
    """`MLGATE_OPTIMIZE=0` turns the variant search off for every run (e.g. in test suites)."""
    return os.environ.get("MLGATE_OPTIMIZE", "1").strip().lower() not in ("0", "off", "false")


def search_wanted(config: Config, request: GateRequest) -> bool:
    return (
        config.optimize.enabled
        and request.optimize
        and request.search_budget != 0
        and config.optimize.budget_seconds != 0
        and optimizer_allowed()
    )


def target_seconds(config: Config, request: GateRequest) -> float:
    """What one model on one target is expected to cost at most: the latency budget, plus
    the search (by default, what is left of the bill; at least its floor)."""
    latency = request.budget_seconds or config.latency.budget_seconds
    if not search_wanted(config, request):
        return latency
    if request.search_budget is not None:
        return latency + request.search_budget
    return latency + config.optimize.search_seconds(latency)


def search_budget(config: Config, request: GateRequest, spent: float) -> float:
    """The search's seconds once measuring took `spent`: --search-budget, else the config's
    `optimize.budget_seconds`, else what is left of `optimize.bill_seconds` (at least
    `optimize.min_budget_seconds`)."""
    if request.search_budget is not None:
        return request.search_budget
    return config.optimize.search_seconds(spent)


def bill(config: Config, request: GateRequest) -> float | None:
    """The per-model-and-target bill the search's budget comes from (None: set explicitly)."""
    explicit = request.search_budget is not None or config.optimize.budget_seconds is not None
    return None if explicit else config.optimize.bill_seconds
