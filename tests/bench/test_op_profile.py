"""Where the time went: onnxruntime's profiler on base and head, by operator and node."""

from __future__ import annotations

import numpy as np
import pytest

from mlgate.bench import op_profile
from mlgate.bench.op_profile import _compare, _Profile, breakdown
from mlgate.bench.session import Target
from mlgate.errors import ModelError
from tests.model_builders import matmul_chain, save

CPU = Target("cpu", ("CPUExecutionProvider",), 1)


def test_a_deeper_head_shows_its_extra_matmuls(tmp_path):
    base = save(matmul_chain(layers=1, width=64), tmp_path / "base.onnx")
    head = save(matmul_chain(layers=3, width=64), tmp_path / "head.onnx")
    feed = {"x": np.ones((8, 64), np.float32)}
    result = breakdown(base, head, CPU, (feed, feed), runs=3)
    assert result.runs == 3
    assert result.base_ms > 0
    assert result.head_ms > 0
    ops = {row.name for row in result.by_op}
    assert {"MatMul", "Relu"} <= ops
    nodes = {row.name for row in result.by_node}
    assert any(name.endswith("(MatMul)") for name in nodes)
    assert len(result.by_node) <= op_profile.TOP


def test_a_model_the_profiler_cannot_open_is_a_model_error(tmp_path):
    base = save(matmul_chain(layers=1, width=8), tmp_path / "base.onnx")
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"\x00garbage")
    feed = {"x": np.ones((1, 8), np.float32)}
    with pytest.raises(ModelError, match=r"onnxruntime cannot profile broken\.onnx"):
        breakdown(base, broken, CPU, (feed, feed), runs=1)


def test_shares_split_the_change_and_are_sorted_by_size():
    base = _Profile({"MatMul": 1000.0, "Relu": 100.0}, {"m0": ("MatMul", 1000.0)})
    head = _Profile(
        {"MatMul": 3000.0, "Relu": 100.0, "Add": 500.0},
        {"m0": ("MatMul", 1000.0), "m1": ("MatMul", 2000.0)},
    )
    result = _compare(base, head, runs=10)
    assert [r.name for r in result.by_op] == ["MatMul", "Add", "Relu"]
    assert [r.share for r in result.by_op] == pytest.approx([0.8, 0.2, 0.0])
    assert (result.base_ms, result.head_ms) == pytest.approx((1.1, 3.6))
    assert result.by_node[0].name == "m1 (MatMul)"
    assert result.by_node[0].base_ms == 0.0


def test_no_change_means_no_shares():
    same = _Profile({"MatMul": 10.0}, {"m0": ("MatMul", 10.0)})
    assert [r.share for r in _compare(same, same, runs=1).by_op] == [0.0]
