"""config.optimize: the variant search's settings and its budget."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mlgate.config.optimize import OptimizeConfig


def test_by_default_the_search_takes_what_is_left_of_the_bill():
    config = OptimizeConfig()
    assert config.bill_seconds == 180
    assert config.search_seconds(25.0) == 155.0
    assert config.search_seconds(0.0) == 180.0


def test_a_slow_model_still_gets_the_floor():
    assert OptimizeConfig().search_seconds(170.0) == 20.0
    assert OptimizeConfig(min_budget_seconds=5).search_seconds(179.0) == 5.0


def test_an_explicit_budget_is_kept_whatever_measuring_took():
    assert OptimizeConfig(budget_seconds=60).search_seconds(170.0) == 60.0


@pytest.mark.parametrize(
    ("key", "value"),
    [("drift", "maybe"), ("portability", "error"), ("min_speedup", 0.5), ("min_cosine", 1.5)],
)
def test_bad_values_are_refused(key, value):
    with pytest.raises(ValidationError, match=key):
        OptimizeConfig.model_validate({key: value})
