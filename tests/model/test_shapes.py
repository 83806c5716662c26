"""Input shapes and tensor shapes: symbolic dimensions sized by name, the shapes one
inference runs at (eval data, else the config, else the rules), and every value's shape by
onnx shape inference on real models."""

from __future__ import annotations

from dataclasses import dataclass

from onnx import TensorProto

from mlgate.model.shapes import (
    TensorShape,
    default_dim,
    guessed_shape,
    infer_tensor_shapes,
    named_dim_sizes,
    resolve_input_shapes,
)
from tests import model_builders as mb


@dataclass(frozen=True)
class Spec:
    name: str
    shape: tuple[int | str | None, ...]


def test_symbolic_dimensions_are_sized_by_their_names():
    inputs = [Spec("ids", ("batch_size", "seq_len")), Spec("image", ("N", 3, "h", "w")),
              Spec("x", ("N", "features"))]  # fmt: skip
    assert named_dim_sizes(inputs) == {
        "batch_size": 1, "seq_len": 128, "N": 1, "h": 224, "w": 224, "features": 16,
    }  # fmt: skip


def test_unnamed_dynamic_dimensions_follow_the_rank_and_axis():
    assert [default_dim(4, axis) for axis in range(4)] == [1, 16, 224, 224]
    assert [default_dim(2, axis) for axis in range(2)] == [1, 16]
    assert guessed_shape(Spec("x", (None, 3, -1, "w")), {"w": 7}) == [1, 3, 224, 7]


def test_eval_data_then_the_config_then_the_rules():
    inputs = [Spec("a", ("N", 4)), Spec("b", ("N", 8)), Spec("c", ("N", 2))]
    shapes = resolve_input_shapes(inputs, {"b": [3, 8]}, {"a": (100, 4)}, examples=100,
                                  batch_size=10)  # fmt: skip
    assert shapes == {"a": [10, 4], "b": [3, 8], "c": [1, 2]}
    fixed = resolve_input_shapes([Spec("a", (2, 4))], {}, {"a": (100, 4)}, 100, 10)
    assert fixed == {"a": [2, 4]}  # the model's fixed batch wins
    whole = resolve_input_shapes([Spec("a", ("N", 4))], {}, {"a": (100, 4)}, 100, None)
    assert whole == {"a": [100, 4]}  # no batch size: the data as it is


def test_every_value_of_a_real_model_is_sized_at_the_given_inputs():
    shapes, problem = infer_tensor_shapes(mb.matmul_chain(layers=2, width=8), {"x": [5, 8]})
    assert problem == ""
    assert shapes["x"] == TensorShape(TensorProto.FLOAT, (5, 8))
    assert shapes["y"] == TensorShape(TensorProto.FLOAT, (5, 8))
    weights = [s for name, s in shapes.items() if name not in ("x", "y") and s.shape == (8, 8)]
    assert weights  # initializers keep their dims


def test_dynamic_inputs_left_unset_are_not_sized():
    shapes, _ = infer_tensor_shapes(mb.cnn(), {})
    assert shapes["image"].shape is None
    assert shapes["image"].dtype == TensorProto.FLOAT
