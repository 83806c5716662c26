"""The optimizer as one step of a gate run: drift between base and head, the search's
settings from the config, and the record for the target."""

from __future__ import annotations

import pytest

from mlgate.bench.session import Target, runtime_limits
from mlgate.config import OptimizeConfig
from mlgate.model.load import load_model
from mlgate.optimize.run import (
    OptimizeJob,
    budget_from,
    drift_of,
    finish_target,
    settings_from,
)
from mlgate.optimize.search_job import SearchOutcome
from tests.model_builders import cnn, save

CPU = Target("cpu", ("CPUExecutionProvider",), 1)


def _job(tmp_path, base_model=None, **config) -> OptimizeJob:
    head = load_model(save(cnn(), tmp_path / "head.onnx"), runtime_limits())
    base = None
    if base_model is not None:
        base = load_model(save(base_model, tmp_path / "base.onnx"), runtime_limits())
    return OptimizeJob(
        base, head, CPU, None, "top1", None, None, {"image": [1, 3, 8, 8]},
        OptimizeConfig(**config),
    )  # fmt: skip


def test_the_budget_and_settings_come_from_the_config():
    config = OptimizeConfig(
        min_cosine=0.95, max_accuracy_drop=1.5, max_relative_diff=None, min_speedup=1.2
    )
    budget = budget_from(config, "top1")
    assert (budget.min_cosine, budget.max_accuracy_drop, budget.max_relative_diff) == (
        0.95,
        pytest.approx(0.015),
        None,
    )
    settings = settings_from(config)
    assert settings.min_speedup == 1.2
    assert settings.build_timeout_seconds == config.build_timeout_seconds


def test_no_base_or_drift_off_measures_no_drift(tmp_path):
    assert drift_of(_job(tmp_path)) == (None, [])
    assert drift_of(_job(tmp_path, cnn(), drift="off")) == (None, [])


def test_drift_of_the_same_model_is_measured_and_empty(tmp_path):
    drift, notes = drift_of(_job(tmp_path, cnn()))
    assert notes == []
    assert drift is not None
    assert drift.lost == []
    assert drift.base_fused == drift.head_fused


def test_a_base_that_cannot_run_is_a_note_not_an_error(tmp_path):
    model = cnn()
    model.graph.input[0].type.tensor_type.shape.dim[1].dim_value = 4  # 4 channels, weights 3
    drift, notes = drift_of(_job(tmp_path, model))
    assert drift is None
    (note,) = notes
    assert note.startswith("optimization drift not measured: ")


def test_finish_target_keeps_the_search_and_adds_the_drift_notes(tmp_path):
    job = _job(tmp_path, budget_seconds=30)
    outcome = SearchOutcome([], None, 1.5, ["fp16"], ["a note"])
    info = finish_target(job, outcome, (None, ["drift note"]))
    assert (info.recommended, info.seconds, info.not_tried) == (None, 1.5, ["fp16"])
    assert info.budget_seconds == 30
    assert info.notes == ["a note", "drift note"]
    assert info.fidelity_rule.startswith("cosine ≥ 0.99")
