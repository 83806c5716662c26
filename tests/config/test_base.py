"""config.base: strict, frozen sections without inf or nan; YAML infinities reach the
threshold parser as text."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from mlgate.config.base import Strict, floats_as_text


class _Section(Strict):
    value: float = 1.0


def test_an_unknown_key_is_an_error():
    with pytest.raises(ValidationError, match="extra"):
        _Section.model_validate({"value": 2.0, "typo": 1})


def test_sections_are_frozen():
    section = _Section(value=2.0)
    with pytest.raises(ValidationError):
        section.value = 3.0  # type: ignore[misc]
    assert section.value == 2.0


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_inf_and_nan_are_refused(bad):
    with pytest.raises(ValidationError):
        _Section(value=bad)


def test_non_finite_floats_become_text_and_the_rest_is_kept():
    assert floats_as_text({"a": math.inf, "b": 0.5, "c": "+5%"}) == {
        "a": "inf",
        "b": 0.5,
        "c": "+5%",
    }
    assert floats_as_text(["not", "a", "dict"]) == ["not", "a", "dict"]
