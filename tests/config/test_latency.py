"""config.latency: the sampling section's defaults and bounds."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mlgate.config.latency import LatencyConfig


def test_defaults():
    latency = LatencyConfig()
    assert latency.budget_seconds == 30.0
    assert latency.min_segments == 8
    assert latency.confidence == 0.95
    assert latency.max_budget_seconds is None


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("budget_seconds", 0),
        ("budget_seconds", 3601),
        ("min_segments", 1),
        ("confidence", 0.5),
        ("confidence", 1.0),
        ("max_pairs", 63),
        ("min_blocks", 0),
    ],
)
def test_out_of_bounds_values_are_refused(key, value):
    with pytest.raises(ValidationError, match=key):
        LatencyConfig.model_validate({key: value})


def test_values_at_the_bounds_are_accepted():
    latency = LatencyConfig(budget_seconds=3600, min_segments=2, max_pairs=64, min_seconds=0)
    assert (latency.budget_seconds, latency.min_segments, latency.max_pairs) == (3600, 2, 64)
