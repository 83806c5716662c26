"""The graph diff between base and head, from their model records."""

from __future__ import annotations

from mlgate.config import ModelConfig
from mlgate.gate.models import model_info
from mlgate.model.diff import graph_diff
from mlgate.model.load import load_model
from mlgate.render.efficiency_view import graph_lines
from tests import model_builders as mb


def info(tmp_path, model, name):
    from mlgate.bench.session import runtime_limits

    path = mb.save(model, tmp_path / name)
    loaded = load_model(path, runtime_limits(), name)
    return model_info(loaded, ModelConfig(path=name, inputs={"x": [2, 32]}), None)[0]


def test_added_layers_show_as_ops_params_macs_and_energy(tmp_path):
    base = info(tmp_path, mb.matmul_chain(layers=2, width=32), "base.onnx")
    head = info(tmp_path, mb.matmul_chain(layers=3, width=32), "head.onnx")
    diff = graph_diff(base, head)
    assert [(d.op_type, d.delta) for d in diff.ops] == [("MatMul", 1), ("Relu", 1)]
    assert diff.nodes == (4, 6)
    assert diff.params == (2 * 32 * 32, 3 * 32 * 32)
    assert diff.macs == (2 * 2 * 32 * 32, 3 * 2 * 32 * 32)
    assert diff.energy_proxy is not None
    assert diff.energy_proxy[1] > diff.energy_proxy[0]
    lines = graph_lines(base, head)
    assert lines[0] == "ops: +1 MatMul, +1 Relu"
    assert any(line.startswith("MACs per inference 4.1 k → 6.14 k (+50.0%)") for line in lines)


def test_identical_models_have_an_empty_diff_and_a_changed_signature_is_named(tmp_path):
    a = info(tmp_path, mb.matmul_chain(layers=2, width=32), "a.onnx")
    b = info(tmp_path, mb.matmul_chain(layers=2, width=32, seed=9), "b.onnx")
    assert graph_diff(a, b).unchanged
    wide = info(tmp_path, mb.matmul_chain(layers=2, width=32, batch=4), "c.onnx")
    assert graph_diff(a, wide).signature == [
        "input 'x' float[N, 32] → float[4, 32]",
        "output 'y' float[N, 32] → float[4, 32]",
    ]
