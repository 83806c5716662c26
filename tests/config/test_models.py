"""config.models: a gated model's path, eval data and metric, shapes and thresholds."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from mlgate.config.models import EvalConfig, ModelConfig


@pytest.mark.parametrize("metric", ["top1", "topk:5", "mse", "mae", "cosine", "fidelity"])
def test_known_metrics_are_accepted(metric):
    assert EvalConfig(metric=metric).metric == metric


@pytest.mark.parametrize("metric", ["top5", "topk:0", "topk:", "accuracy", "MSE"])
def test_other_metrics_are_refused_with_the_accepted_list(metric):
    with pytest.raises(ValidationError, match="is not a metric; use one of top1"):
        EvalConfig(metric=metric)


def test_a_model_needs_a_path_and_defaults_the_rest():
    model = ModelConfig(path="models/*.onnx")
    assert model.eval.metric == "top1"
    assert model.inputs == {}
    with pytest.raises(ValidationError, match="path"):
        ModelConfig.model_validate({})


def test_input_dims_must_be_positive():
    assert ModelConfig(path="m.onnx", inputs={"x": [1, 3]}).inputs == {"x": [1, 3]}
    with pytest.raises(ValidationError):
        ModelConfig(path="m.onnx", inputs={"x": [0, 3]})


def test_infinite_thresholds_arrive_as_text():
    model = ModelConfig.model_validate({"path": "m.onnx", "thresholds": {"size": math.inf}})
    assert model.thresholds == {"size": "inf"}
