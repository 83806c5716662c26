"""config.limits: the `limits` and `energy` sections."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mlgate.config.base import ONE_DAY
from mlgate.config.limits import EnergyConfig, LimitsConfig


def test_limits_defaults_isolate_and_leave_memory_to_the_machine():
    limits = LimitsConfig()
    assert limits.isolate is True
    assert limits.memory_mb is None
    assert limits.model_size_mb == 2048.0
    assert limits.allow_domains == []


def test_memory_zero_means_no_limit_and_is_accepted():
    assert LimitsConfig(memory_mb=0).memory_mb == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("memory_mb", -1),
        ("timeout_seconds", 0),
        ("timeout_seconds", ONE_DAY + 1),
        ("model_size_mb", 0),
    ],
)
def test_limits_out_of_bounds_are_refused(key, value):
    with pytest.raises(ValidationError, match=key):
        LimitsConfig.model_validate({key: value})


def test_energy_needs_at_least_two_windows_of_at_most_a_minute():
    assert EnergyConfig().windows == 8
    with pytest.raises(ValidationError, match="windows"):
        EnergyConfig(windows=1)
    with pytest.raises(ValidationError, match="window_seconds"):
        EnergyConfig(window_seconds=61)
