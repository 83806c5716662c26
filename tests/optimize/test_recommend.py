"""The recommendation's deployment record: the shipped file keeps portable ops, recipes survive
the record round trip, and the precision follows the passes."""

from __future__ import annotations

import onnx
import pytest

from mlgate.errors import ModelError
from mlgate.optimize.recommend import (
    ort_original,
    precision_of,
    recipe_from,
    recipe_steps,
)
from mlgate.optimize.space import STATIC_START, space, static_recipe
from tests import model_builders as mb
from tests.deployed_models import CPU, winner


def test_the_shipped_file_is_the_passes_output_not_an_all_level_graph(tmp_path):
    """ORT_ENABLE_ALL rewrites for one CPU's instruction set: the file keeps portable ops, the
    session option asks onnxruntime to optimize it where it lands."""
    _, variant_path = winner(tmp_path)
    ops = {node.op_type for node in onnx.load(str(variant_path)).graph.node}
    assert not any(op.startswith("Nchwc") for op in ops)
    deployment = ort_original(variant_path, CPU)
    assert deployment.onnxruntime is not None
    assert deployment.onnxruntime.session_options["graph_optimization_level"] == "ORT_ENABLE_ALL"


def test_every_recipe_of_the_space_survives_the_record_round_trip():
    model = mb.cnn()
    first, later = space(model)
    for recipe in [*first, static_recipe(model, *STATIC_START), *later]:
        assert recipe_from(recipe.name, recipe_steps(recipe)) == recipe
    with pytest.raises(ModelError, match="no registered pass"):
        recipe_from("x", [{"pass": "teleport"}])


def test_precision_follows_the_passes():
    assert precision_of(["quant-preprocess", "static-qdq-uint8-per-channel-minmax"]) == "int8"
    assert precision_of(["dynamic-int8"]) == "int8"
    assert precision_of(["fp16"]) == "fp16"
    assert precision_of(["ort-extended"]) == "fp32"
