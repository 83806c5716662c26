"""The catalog of gated metrics and the thresholds applied when the config names none."""

from __future__ import annotations

import pytest

from mlgate.compare.metrics import (
    ERROR_METRICS,
    METRICS,
    UNLABELLED_FIDELITY,
    default_thresholds,
)
from mlgate.compare.thresholds import parse_threshold


def test_every_default_threshold_parses_and_every_name_is_its_key():
    for name, spec in METRICS.items():
        assert spec.name == name
        if spec.default_threshold is not None:
            parse_threshold(spec.default_threshold)
    for text in UNLABELLED_FIDELITY.values():
        parse_threshold(text)


def test_defaults_gate_accuracy_latency_memory_size_and_fidelity():
    thresholds = default_thresholds("top1")
    assert thresholds["accuracy"] == "-0.5pp"
    assert thresholds["latency.p50"] == "+5%"
    assert "latency.p99" not in thresholds  # shown, not gated
    assert {k: thresholds[k] for k in UNLABELLED_FIDELITY} == UNLABELLED_FIDELITY


@pytest.mark.parametrize("metric", sorted(ERROR_METRICS))
def test_error_metrics_gate_accuracy_relatively(metric):
    assert default_thresholds(metric)["accuracy"] == "+5%"


def test_sampled_metrics_are_timed_ones():
    sampled = {name for name, spec in METRICS.items() if spec.sampled}
    assert sampled == {"latency.p50", "latency.p90", "latency.p99", "energy", "pytest_benchmark"}
    assert all(METRICS[n].unit in ("s", "J") for n in sampled)
