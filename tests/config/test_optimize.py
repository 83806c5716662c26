"""config.optimize: the variant search's settings and its budget."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mlgate.config.optimize import OptimizeConfig


def test_the_search_gets_what_is_left_of_the_bill():
    optimize = OptimizeConfig(bill_seconds=180, min_budget_seconds=20)
    assert optimize.search_seconds() == 180
    assert optimize.search_seconds(spent=100) == 80


def test_the_search_keeps_its_floor_when_measuring_took_the_bill():
    assert OptimizeConfig(bill_seconds=180, min_budget_seconds=20).search_seconds(500) == 20


def test_a_configured_budget_wins_over_the_bill_even_zero():
    assert OptimizeConfig(budget_seconds=7).search_seconds(spent=1000) == 7
    assert OptimizeConfig(budget_seconds=0).search_seconds() == 0


@pytest.mark.parametrize(
    ("key", "value"),
    [("drift", "maybe"), ("portability", "error"), ("min_speedup", 0.5), ("min_cosine", 1.5)],
)
def test_bad_values_are_refused(key, value):
    with pytest.raises(ValidationError, match=key):
        OptimizeConfig.model_validate({key: value})
