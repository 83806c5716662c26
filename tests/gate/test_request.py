"""gate.request: what one gate run is asked to do. The defaults are the conservative ones:
memory measured, the variant search on with the config's budget, nothing overridden."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mlgate.gate.request import GateOutcome, GateRequest
from tests.render.sample import sample_results


def test_a_request_needs_only_the_two_models_and_overrides_nothing():
    request = GateRequest(Path("base.onnx"), "main:models/a.onnx")
    assert (request.base, request.head) == (Path("base.onnx"), "main:models/a.onnx")
    assert request.thresholds == {}
    assert request.targets == ()
    assert (request.budget_seconds, request.search_budget) == (None, None)
    assert (request.measure_memory, request.optimize) == (True, True)
    assert (request.loaded_config, request.waivers, request.today) == (None, None, None)


def test_a_request_is_frozen_and_its_dicts_are_its_own():
    one, two = GateRequest("a", "b"), GateRequest("a", "b")
    one.thresholds["size"] = "off"
    assert two.thresholds == {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.head = "c"  # type: ignore[misc]


def test_an_outcome_without_an_error_is_a_finished_run():
    outcome = GateOutcome(0, sample_results(fail=False), "PASS", [Path("r.json")])
    assert outcome.error is None
    assert outcome.written == [Path("r.json")]
