from pathlib import Path

import pytest

from mlgate.errors import ModelError
from mlgate.model.load import RuntimeLimits, check_runtime_support, load_model, safe_external_path
from mlgate.model.profile import index_bounds, profile_model
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


def test_index_bounds_follow_casts_to_the_embedding():
    assert index_bounds(mb.transformer_block(vocab=50)) == {"input_ids": 50}
    assert index_bounds(mb.cnn()) == {}


def test_model_under_size_limit_loads(tmp_path: Path):
    path = mb.save(mb.matmul_chain(layers=1, width=4), tmp_path / "m.onnx")
    assert load_model(path, LIMITS, max_mb=1).size_bytes < 1024 * 1024
