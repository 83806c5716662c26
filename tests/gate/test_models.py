"""gate.models: a judged model loaded within the limits, and its record with the compute
profile at the shapes latency uses. Real ONNX models."""

from __future__ import annotations

import pytest
from onnx import TensorProto, helper

from mlgate.bench.session import runtime_limits
from mlgate.config import Config, LimitsConfig, ModelConfig
from mlgate.errors import ModelError
from mlgate.gate.models import load_checked, model_info
from mlgate.model.load import load_model
from mlgate.model.source import ModelSource
from tests import model_builders as mb


def _loaded(tmp_path, model, name="m.onnx"):
    return load_model(mb.save(model, tmp_path / name), runtime_limits(), name)


def test_the_record_holds_the_model_and_its_compute_at_the_configured_shape(tmp_path):
    loaded = _loaded(tmp_path, mb.matmul_chain(layers=2, width=16))
    info, params = model_info(loaded, ModelConfig(path="m.onnx", inputs={"x": [4, 16]}), None)
    assert params == info.params == 2 * 16 * 16
    assert (info.path, info.sha256, info.size_bytes) == ("m.onnx", loaded.sha256, loaded.size_bytes)
    assert info.op_counts == {"MatMul": 2, "Relu": 2}
    assert info.compute is not None
    assert info.compute.macs == 4 * 2 * 16 * 16


def test_a_dynamic_batch_defaults_to_one_example(tmp_path):
    loaded = _loaded(tmp_path, mb.matmul_chain(layers=1, width=16))
    one, _ = model_info(loaded, ModelConfig(path="m.onnx"), None)
    assert one.compute is not None
    assert one.compute.macs == 16 * 16


def test_inputs_over_the_memory_limit_are_refused_before_running(tmp_path):
    loaded = _loaded(tmp_path, mb.matmul_chain(layers=1, width=16))
    huge = ModelConfig(path="m.onnx", inputs={"x": [100_000_000, 16]})
    with pytest.raises(ModelError, match=r"m\.onnx declares .* MB of weights and inputs"):
        model_info(loaded, huge, None, memory_mb=64)
    assert model_info(loaded, huge, None, memory_mb=0)[1] == 16 * 16  # 0: no limit


def _custom_domain_model():
    graph = helper.make_graph(
        [helper.make_node("Exfiltrate", ["x"], ["y"], domain="evil.ops")],
        "custom",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 8])],
    )
    return mb.finish(graph, {"": 17, "evil.ops": 1})


def test_load_checked_refuses_custom_domains_unless_allowed(tmp_path):
    path = mb.save(_custom_domain_model(), tmp_path / "c.onnx")
    source = ModelSource(path, "c.onnx", "c.onnx")
    with pytest.raises(ModelError, match=r"custom op domain 'evil\.ops' \(Exfiltrate\)"):
        load_checked(source, Config(), runtime_limits())
    allowed = Config(limits=LimitsConfig(allow_domains=["evil.ops"]))
    assert load_checked(source, allowed, runtime_limits()).display == "c.onnx"


def test_load_checked_keeps_the_size_limit(tmp_path):
    path = mb.save(mb.matmul_chain(layers=2, width=64), tmp_path / "big.onnx")
    source = ModelSource(path, "big.onnx", "big.onnx")
    tiny = Config(limits=LimitsConfig(model_size_mb=0.001))
    with pytest.raises(ModelError, match=r"big\.onnx"):
        load_checked(source, tiny, runtime_limits())
    assert load_checked(source, Config(), runtime_limits()).sha256
