"""gate.budget: the time a gate run may spend: the latency budget per target and the
variant search's share of the per-model-and-target bill."""

from __future__ import annotations

import pytest

from mlgate.compare.thresholds import parse_threshold
from mlgate.config import Config, LatencyConfig, OptimizeConfig
from mlgate.gate.budget import (
    bill,
    latency_settings,
    optimizer_allowed,
    search_budget,
    search_wanted,
    target_seconds,
)
from mlgate.gate.request import GateRequest


def test_the_flag_overrides_the_config_and_zero_turns_the_search_off(monkeypatch):
    monkeypatch.setenv("MLGATE_OPTIMIZE", "1")
    config = Config()
    assert search_budget(config, GateRequest("a", "b", search_budget=45), 100.0) == 45.0
    assert search_budget(config, GateRequest("a", "b"), 100.0) == 80.0
    assert search_wanted(config, GateRequest("a", "b"))
    assert not search_wanted(config, GateRequest("a", "b", search_budget=0))
    off = config.model_copy(update={"optimize": OptimizeConfig(budget_seconds=0)})
    assert not search_wanted(off, GateRequest("a", "b"))


def test_a_default_run_is_expected_to_cost_the_bill_per_model_and_target(monkeypatch):
    monkeypatch.setenv("MLGATE_OPTIMIZE", "1")
    config = Config()
    assert target_seconds(config, GateRequest("a", "b")) == 180.0
    assert target_seconds(config, GateRequest("a", "b", search_budget=0)) == 30.0
    assert target_seconds(config, GateRequest("a", "b", search_budget=10)) == 40.0


@pytest.mark.parametrize(
    ("value", "allowed"),
    [("1", True), ("0", False), (" OFF ", False), ("false", False), ("yes", True)],
)
def test_mlgate_optimize_turns_every_search_off(monkeypatch, value, allowed):
    monkeypatch.setenv("MLGATE_OPTIMIZE", value)
    assert optimizer_allowed() is allowed
    assert search_wanted(Config(), GateRequest("a", "b")) is allowed


def test_no_optimize_in_the_request_or_the_config_turns_the_search_off(monkeypatch):
    monkeypatch.setenv("MLGATE_OPTIMIZE", "1")
    assert not search_wanted(Config(), GateRequest("a", "b", optimize=False))
    disabled = Config().model_copy(update={"optimize": OptimizeConfig(enabled=False)})
    assert not search_wanted(disabled, GateRequest("a", "b"))
    assert target_seconds(disabled, GateRequest("a", "b")) == 30.0  # the latency budget alone


def test_the_bill_is_reported_only_when_the_budget_is_not_set_explicitly():
    assert bill(Config(), GateRequest("a", "b")) == 180.0
    assert bill(Config(), GateRequest("a", "b", search_budget=10)) is None
    explicit = Config().model_copy(update={"optimize": OptimizeConfig(budget_seconds=60)})
    assert bill(explicit, GateRequest("a", "b")) is None


def _with_latency(**latency: float) -> Config:
    return Config().model_copy(update={"latency": LatencyConfig(**latency)})


def test_the_latency_budget_may_grow_to_three_times_itself_or_the_configured_cap():
    settings = latency_settings(_with_latency(budget_seconds=10), GateRequest("a", "b"), {})
    assert (settings.budget_seconds, settings.max_budget_seconds) == (10, 30)
    capped = _with_latency(budget_seconds=10, max_budget_seconds=12)
    assert latency_settings(capped, GateRequest("a", "b"), {}).max_budget_seconds == 12
    below = _with_latency(budget_seconds=10, max_budget_seconds=5)  # never under the budget
    assert latency_settings(below, GateRequest("a", "b"), {}).max_budget_seconds == 10


def test_an_explicit_budget_is_both_the_budget_and_the_cap_and_bounds_min_seconds():
    config = _with_latency(budget_seconds=10, min_seconds=5)
    settings = latency_settings(config, GateRequest("a", "b", budget_seconds=2), {})
    assert (settings.budget_seconds, settings.max_budget_seconds) == (2, 2)
    assert settings.min_seconds == 2


def test_a_gated_tail_percentile_needs_more_pairs_than_the_median():
    config, request = Config(), GateRequest("a", "b")
    assert latency_settings(config, request, {}).min_pairs == 0
    p50 = latency_settings(config, request, {"latency.p50": parse_threshold("+5%")}).min_pairs
    p99 = latency_settings(config, request, {"latency.p99": parse_threshold("+5%")}).min_pairs
    assert 0 < p50 < p99
