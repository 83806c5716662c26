from pathlib import Path

import pytest

from mlgate.errors import ModelError
from mlgate.model.load import RuntimeLimits, check_runtime_support, load_model, safe_external_path
from mlgate.model.profile import profile_model
from tests import model_builders as mb

LIMITS = RuntimeLimits("onnxruntime 9.9", max_ir_version=13, max_opsets={"": 26, "ai.onnx.ml": 5})


def test_load_reports_hash_size_and_profile(tmp_path):
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    loaded = load_model(path, LIMITS)
    again = load_model(path, LIMITS)
    assert loaded.sha256 == again.sha256
    assert len(loaded.sha256) == 64
    assert loaded.size_bytes == path.stat().st_size
    profile = profile_model(loaded.proto)
    assert profile.params == 8 * 3 * 3 * 3 + 16 * 8 * 3 * 3 + 16 * 10 + 10
    assert profile.op_counts["Conv"] == 2
    assert profile.inputs[0].shape == ["batch", 3, "height", "width"]


def test_hash_covers_external_data(tmp_path):
    path = mb.with_external_data(mb.matmul_chain(layers=1, width=8), tmp_path / "m")
    before = load_model(path, LIMITS).sha256
    weights = tmp_path / "m" / "weights.bin"
    data = bytearray(weights.read_bytes())
    data[0] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert load_model(path, LIMITS).sha256 != before


@pytest.mark.parametrize(
    ("ir", "opset", "message"),
    [(14, 17, "reads at most IR 13"), (10, 27, "supports at most 26")],
)
def test_runtime_support_names_the_limit_and_the_fix(ir, opset, message):
    model = mb.matmul_chain(layers=1, width=4)
    model.ir_version = ir
    model.opset_import[0].version = opset
    with pytest.raises(ModelError, match=message) as info:
        check_runtime_support(model, "m.onnx", LIMITS)
    assert "onnxruntime 9.9" in str(info.value)


@pytest.mark.parametrize("location", ["a/../../x.bin", "/abs.bin", "C:/x.bin", "..\\x.bin"])
def test_external_paths_that_leave_the_folder(tmp_path, location):
    with pytest.raises(ModelError):
        safe_external_path(tmp_path, location, "m.onnx")


def test_external_path_inside_subfolder_is_fine(tmp_path):
    (tmp_path / "sub").mkdir()
    assert safe_external_path(tmp_path, "sub/w.bin", "m") == (tmp_path / "sub" / "w.bin").resolve()


def test_model_under_size_limit_loads(tmp_path: Path):
    path = mb.save(mb.matmul_chain(layers=1, width=4), tmp_path / "m.onnx")
    assert load_model(path, LIMITS, max_mb=1).size_bytes < 1024 * 1024


def test_every_subgraph_and_constant_tensor_is_visited():
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    from mlgate.model.load import iter_graphs, iter_tensors

    def body(name: str):
        return helper.make_graph([], name, [], [helper.make_tensor_value_info("o", 1, None)])

    values = numpy_helper.from_array(np.ones(2, np.float32), "sparse_values")
    indices = numpy_helper.from_array(np.array([0, 3], np.int64), "sparse_indices")
    graph = helper.make_graph(
        [
            helper.make_node("Custom", [], ["a"], domain="x", bodies=[body("one"), body("two")]),
            helper.make_node(
                "Custom2",
                [],
                ["b"],
                domain="x",
                tables=[helper.make_tensor("t1", TensorProto.FLOAT, [1], [1.0])],
            ),
        ],
        "main",
        [],
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, None)],
        sparse_initializer=[helper.make_sparse_tensor(values, indices, [5])],
    )
    assert [g.name for g in iter_graphs(graph)] == ["main", "one", "two"]
    assert sorted(t.name for t in iter_tensors(graph)) == ["sparse_values", "t1"]


def test_an_external_tensor_without_a_file_name_is_refused(tmp_path):
    with pytest.raises(ModelError, match="marked external but names no file"):
        safe_external_path(tmp_path, "", "m.onnx")


def test_truncated_external_data_is_refused(tmp_path):
    path = mb.with_external_data(mb.matmul_chain(layers=1, width=8), tmp_path / "m")
    weights = tmp_path / "m" / "weights.bin"
    weights.write_bytes(weights.read_bytes()[:-4])
    with pytest.raises(
        ModelError, match=r"weights\.bin' is truncated \(needs 256 bytes, has 252\)"
    ):
        load_model(path, LIMITS)


def test_external_data_counts_toward_the_size_limit(tmp_path):
    path = mb.with_external_data(mb.matmul_chain(layers=1, width=512), tmp_path / "m")
    assert path.stat().st_size < 1024  # 512 x 512 float weights: exactly 1 MiB beside it
    with pytest.raises(ModelError, match=r"with its external data is 1\.0 MB, over the 1 MB"):
        load_model(path, LIMITS, max_mb=1)


def test_a_name_the_system_cannot_read_is_one_line(tmp_path):
    with pytest.raises(ModelError, match="cannot be read: File name too long"):
        load_model(tmp_path / ("x" * 300 + ".onnx"), LIMITS)


def test_a_model_without_outputs_is_not_complete(tmp_path):
    model = mb.matmul_chain(layers=1, width=4)
    del model.graph.output[:]
    path = mb.save(model, tmp_path / "m.onnx")
    with pytest.raises(ModelError, match="not a complete ONNX model"):
        load_model(path, LIMITS)
