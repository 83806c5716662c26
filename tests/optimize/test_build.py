"""Builds in an isolated child with a time limit: they survive passes that raise, hang, crash
or silently do nothing, keep the working directory clean, and apply a pipeline in order."""

from __future__ import annotations

from pathlib import Path

import onnx

from mlgate.optimize.build import Recipe, build, nodes_by_type
from mlgate.optimize.graph_passes import OpsetUpgrade
from mlgate.optimize.model_contents import op_counts, opset
from mlgate.optimize.quantization_passes import QuantPreprocess, StaticInt8
from tests import model_builders as mb
from tests.optimize.fault_passes import (
    CopiesAsStatic,
    Hangs,
    LittersWorkingDirectory,
    Raises,
    Segfaults,
)
from tests.optimize.pass_contexts import CPU, calibration


def test_a_raising_pass_is_recorded_with_its_error(tmp_path):
    source = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    built = build(source, tmp_path / "out.onnx", Recipe("r", (Raises(),)), CPU, timeout=60)
    assert built.status == "failed"
    assert "RuntimeError: weights are not initializers" in built.reason
    assert not (tmp_path / "out.onnx").exists()


def test_a_hanging_pass_is_killed_at_its_time_limit(tmp_path):
    source = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    built = build(source, tmp_path / "out.onnx", Recipe("r", (Hangs(),)), CPU, timeout=3)
    assert built.status == "failed"
    assert built.reason == "timed out after 3 s (killed)"
    assert built.seconds < 30


def test_a_pass_that_kills_its_process_is_recorded_as_a_crash(tmp_path):
    source = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    built = build(source, tmp_path / "out.onnx", Recipe("r", (Segfaults(),)), CPU, timeout=60)
    assert built.status == "failed"
    assert built.reason == "the pass crashed (SIGSEGV)"


def test_a_silent_no_op_is_reported_not_measured(tmp_path):
    source = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    built = build(source, tmp_path / "out.onnx", Recipe("r", (CopiesAsStatic(),)), CPU, 60)
    assert built.status == "skipped"
    assert "unchanged (a silent no-op)" in built.reason


def test_passes_cannot_litter_the_working_directory(tmp_path):
    mb.save(mb.cnn(), tmp_path / "cnn.onnx")  # tests run in tmp_path: relative paths here
    recipe = Recipe("r", (LittersWorkingDirectory(),))
    built = build(Path("cnn.onnx"), Path("out.onnx"), recipe, CPU, 60)
    assert built.status == "skipped"
    assert "unchanged" in built.reason  # it read the model through the relative path
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".onnx") == ["cnn.onnx"]


def test_a_pipeline_applies_its_passes_in_order(tmp_path):
    old = mb.cnn()
    old.opset_import[0].version = 11
    source = mb.save(old, tmp_path / "old.onnx")
    recipe = Recipe("upgrade+int8", (OpsetUpgrade(), QuantPreprocess(), StaticInt8()))
    built = build(source, tmp_path / "out.onnx", recipe, calibration(), timeout=120)
    assert built.status == "built", built.reason
    ops = op_counts(onnx.load(str(tmp_path / "out.onnx")))
    assert ops["QuantizeLinear"] > 0
    assert opset(onnx.load(str(tmp_path / "out.onnx"))) >= 13


def test_a_recipe_names_its_passes_and_nodes_are_counted_by_type(tmp_path):
    recipe = Recipe("upgrade+int8", (OpsetUpgrade(), QuantPreprocess(), StaticInt8()))
    assert recipe.pass_names == [p.name for p in recipe.passes]
    assert len(recipe.pass_names) == 3
    counts = nodes_by_type(mb.save(mb.matmul_chain(layers=3, width=8), tmp_path / "m.onnx"))
    assert counts == {"MatMul": 3, "Relu": 3}
