"""Portability: the head run as the base's recommended deployment runs the base. A head that
the deployment's runtime cannot run, or that loses fidelity under its precision, is reported;
`optimize.portability` makes that a note (warn) or a failing metric (fail). Real sessions,
real passes, real models; no timing asserts."""

from __future__ import annotations

import dataclasses

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from mlgate.bench.session import Target, runtime_limits
from mlgate.compare.optimization import (
    PORTABILITY_METRIC,
    apply_optimization,
    apply_portability,
)
from mlgate.config import OptimizeConfig
from mlgate.gate import search as variant_search
from mlgate.model.load import load_model
from mlgate.optimize.build import Recipe
from mlgate.optimize.passes import DynamicInt8
from mlgate.optimize.portability import PortabilityJob, check_portability
from mlgate.optimize.recommend import ort_original, recipe_steps
from mlgate.optimize.run import OptimizeJob
from mlgate.optimize.search import Budget, SearchInput
from mlgate.progress import LogProgress
from mlgate.results import search_cache
from mlgate.results.deployment import Deployment, OpenVinoSettings
from mlgate.results.schema import (
    MetricResult,
    OptimizationInfo,
    PortabilityInfo,
    TargetResult,
)
from tests import model_builders as mb

CPU = Target("cpu", ("CPUExecutionProvider",), 1)
WIDTH = 64


def _feeds(n: int = 8) -> list[dict[str, np.ndarray]]:
    rng = np.random.default_rng(3)
    return [{"x": rng.standard_normal((4, WIDTH)).astype(np.float32)} for _ in range(n)]


def _job(path, deployment: Deployment, recipe: list, seconds: float = 1.0) -> PortabilityJob:  # type: ignore[no-untyped-def]
    feeds = _feeds()
    head = SearchInput(path, path.name, CPU, None, "fidelity", None, None)
    return PortabilityJob(head, deployment, recipe, "test", Budget(), feeds, None, feeds[0],
                          seconds)  # fmt: skip


def _dead_feature_head(tmp_path):  # type: ignore[no-untyped-def]
    """The base's chain with one input feature masked to zero and a huge weight on it: no
    effect in float, but per-tensor int8 weights then round every other weight to zero."""
    model = mb.matmul_chain(2, WIDTH)
    graph = model.graph
    mask = np.ones(WIDTH, np.float32)
    mask[0] = 0.0
    graph.initializer.append(numpy_helper.from_array(mask, "mask"))
    first = next(n for n in graph.node if n.op_type == "MatMul")
    first.input[0] = "masked"
    graph.node.insert(0, helper.make_node("Mul", ["x", "mask"], ["masked"]))
    weight = next(t for t in graph.initializer if t.name == first.input[1])
    array = numpy_helper.to_array(weight).copy()
    array[0, :] = 1000.0
    weight.CopyFrom(numpy_helper.from_array(array, weight.name))
    return mb.save(model, tmp_path / "head.onnx")


def _int8_deployment(path) -> tuple[Deployment, list]:  # type: ignore[no-untyped-def]
    recipe = Recipe("dynamic-int8", (DynamicInt8("int8"),))
    deployment = dataclasses.replace(
        ort_original(path, CPU), precision="int8", passes=["dynamic-int8"], speedup=1.5
    )
    return deployment, recipe_steps(recipe)


def test_a_head_that_loses_fidelity_under_the_deployments_int8_is_broken(tmp_path):
    head = _dead_feature_head(tmp_path)
    deployment, recipe = _int8_deployment(head)
    found = check_portability(_job(head, deployment, recipe))
    assert found.status == "broken"
    assert any(p.startswith("fidelity under int8:") for p in found.problems), found.problems
    assert found.cosine is not None
    assert found.cosine < 0.99


def test_the_same_recipe_on_an_ordinary_head_keeps_its_fidelity(tmp_path):
    head = mb.save(mb.matmul_chain(2, WIDTH), tmp_path / "head.onnx")
    deployment, recipe = _int8_deployment(head)
    found = check_portability(_job(head, deployment, recipe))
    assert not any(p.startswith(("fidelity", "cannot run")) for p in found.problems)
    assert found.cosine is not None
    assert found.cosine >= 0.99
    assert found.speedup is not None
    assert found.speedup_ci is not None


def test_a_head_with_an_op_openvino_cannot_run_breaks_an_openvino_deployment(tmp_path):
    pytest.importorskip("openvino", reason="OpenVINO not installed: the extra is optional")
    model = mb.matmul_chain(2, WIDTH)
    model.graph.node.append(helper.make_node("Binarizer", ["y"], ["z"], domain="ai.onnx.ml"))
    model.graph.output[0].name = "z"
    model.opset_import.append(helper.make_opsetid("ai.onnx.ml", 3))
    head = mb.save(model, tmp_path / "head.onnx")
    deployment = Deployment("openvino", "2026", head.name, "fp32", 1, speedup=2.0,
                            openvino=OpenVinoSettings("CPU", {}))  # fmt: skip
    found = check_portability(_job(head, deployment, []))
    assert found.status == "broken"
    assert found.problems[0].startswith("cannot run: OpenVINO cannot compile")
    assert "Binarizer" in found.problems[0]


def test_base_passes_that_fail_on_the_head_are_reported(tmp_path):
    """A base recipe that quantizes, on a head with nothing left to quantize."""
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])], "relu",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", WIDTH])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", WIDTH])],
    )  # fmt: skip
    head = mb.save(mb.finish(graph), tmp_path / "head.onnx")
    deployment, recipe = _int8_deployment(head)
    found = check_portability(_job(head, deployment, recipe))
    assert found.status == "broken"
    assert "the base's passes (dynamic-int8) fail on the head" in found.problems[0]


def _target(info: OptimizationInfo) -> TargetResult:
    metric = MetricResult("size", "bytes", False, 1.0, 1.0, 0.0, 0.0, "+5%", "pass")
    return TargetResult("cpu", ["CPUExecutionProvider"], 1, "pass", [metric], optimization=info)


def _info(status: str) -> OptimizationInfo:
    settings = OpenVinoSettings("CPU", {"INFERENCE_PRECISION_HINT": "bf16"})
    deployment = Deployment("openvino", "2026", "m.onnx", "bf16", 1, speedup=2.0, openvino=settings)
    problems = ["fidelity under bf16: cosine 0.9 < 0.99"] if status == "broken" else []
    portability = PortabilityInfo(deployment, "cache", status, problems, 1.1, (0.9, 1.3))  # type: ignore[arg-type]
    return OptimizationInfo([], None, 1.0, 10.0, "rule", portability=portability)


def test_warn_notes_a_broken_deployment_and_fail_fails_the_target():
    warned = apply_portability(_target(_info("broken")), _info("broken"), "warn")
    assert warned.verdict == "pass"
    assert any("portability (broken)" in n and "bf16" in n for n in warned.notes)
    failed = apply_portability(_target(_info("broken")), _info("broken"), "fail")
    assert failed.verdict == "fail"
    metric = next(m for m in failed.metrics if m.name == PORTABILITY_METRIC)
    assert metric.verdict == "fail"
    assert "cosine 0.9" in "; ".join(metric.notes)
    off = apply_portability(_target(_info("broken")), _info("broken"), "off")
    assert off.notes == []
    assert off.verdict == "pass"


def test_an_unconfirmed_speedup_is_undecided_never_a_pass():
    failed = apply_portability(_target(_info("undecided")), _info("undecided"), "fail")
    metric = next(m for m in failed.metrics if m.name == PORTABILITY_METRIC)
    assert metric.verdict == "inconclusive"
    portable = apply_portability(_target(_info("portable")), _info("portable"), "fail")
    assert portable.metrics == _target(_info("portable")).metrics


def test_the_base_deployment_comes_from_the_search_cache(tmp_path):
    base = load_model(mb.save(mb.matmul_chain(2, WIDTH), tmp_path / "base.onnx"),
                      runtime_limits(), display="base.onnx")  # fmt: skip
    head = load_model(_dead_feature_head(tmp_path), runtime_limits(), display="head.onnx")
    job = OptimizeJob(base, head, CPU, None, "fidelity", None, None, {}, OptimizeConfig())
    cache = tmp_path / "cache"
    missing = variant_search.base_deployment(job, cache)
    assert isinstance(missing, str)
    assert "not in the cache" in missing
    deployment, recipe = _int8_deployment(base.path)
    info = OptimizationInfo([], "dynamic-int8", 1.0, 10.0, "rule", deployment=deployment,
                            recipe=recipe)  # fmt: skip
    key = variant_search.search_key(dataclasses.replace(job, head=base))
    search_cache.save(cache, key, info, "test cpu")
    found = variant_search.base_deployment(job, cache)
    assert not isinstance(found, str)
    assert found.deployment == deployment
    assert found.recipe == recipe
    nothing = dataclasses.replace(info, recommended=None, deployment=None)
    search_cache.save(cache, key, nothing, "test cpu")
    assert "no recommended deployment" in str(variant_search.base_deployment(job, cache))
    assert onnx.load(str(head.path)).graph.node[0].op_type == "Mul"


def _gate_job(tmp_path, portability: str = "warn") -> OptimizeJob:  # type: ignore[no-untyped-def]
    base = load_model(mb.save(mb.matmul_chain(2, WIDTH), tmp_path / "base.onnx"),
                      runtime_limits(), display="base.onnx")  # fmt: skip
    head = load_model(_dead_feature_head(tmp_path), runtime_limits(), display="head.onnx")
    config = OptimizeConfig(screen_seconds=0.3, final_seconds=1.0, drift="off",
                            right_size_threads=0, portability=portability)  # fmt: skip
    return OptimizeJob(base, head, CPU, None, "fidelity", None, None, {}, config)


def test_the_gate_measures_the_head_under_the_cached_base_deployment(tmp_path):
    """Through the gate's search step: the base's deployment from the cache, the head
    broken under it, a note (warn) or a failing target (fail)."""
    job = _gate_job(tmp_path)
    cache, lines = tmp_path / "cache", []
    missed = variant_search.optimize_head(job, lambda: 2.0, cache, LogProgress(lines.append))
    assert missed.portability is None
    assert any(
        n.startswith("portability not checked: the base model's search") for n in missed.notes
    )

    deployment, recipe = _int8_deployment(job.base.path)
    info = OptimizationInfo([], "dynamic-int8", 1.0, 10.0, "rule", deployment=deployment,
                            recipe=recipe)  # fmt: skip
    key = variant_search.search_key(dataclasses.replace(job, head=job.base))
    search_cache.save(cache, key, info, "test cpu")
    found = variant_search.optimize_head(job, lambda: 2.0, cache, LogProgress(lines.append))
    assert found.portability is not None
    assert found.portability.status == "broken"
    assert found.portability.source.startswith("base search from the cache, measured 20")
    assert any("the head under the base's deployment" in line for line in lines)

    warned = apply_optimization(_target(found), found, "off", "warn")
    assert warned.verdict == "pass"
    assert any("fidelity under int8" in n for n in warned.notes)
    failed = apply_optimization(_target(found), found, "off", "fail")
    assert failed.verdict == "fail"
    assert PORTABILITY_METRIC in [m.name for m in failed.metrics]
    # the head's own search is cached without the base-dependent portability record
    head_record = search_cache.load(cache, variant_search.search_key(job))
    assert head_record is not None
    assert head_record.info.portability is None


def test_a_recipe_this_mlgate_cannot_rebuild_says_nothing_about_the_head(tmp_path):
    head = mb.save(mb.matmul_chain(2, WIDTH), tmp_path / "head.onnx")
    deployment, _ = _int8_deployment(head)
    found = check_portability(_job(head, deployment, [{"pass": "from-the-future"}]))
    assert found.status == "undecided"
    assert found.problems == []
    assert "cannot be rebuilt here" in found.note
    info = OptimizationInfo([], None, 1.0, 10.0, "rule", portability=found)
    judged = apply_portability(_target(info), info, "fail")
    assert judged.verdict == "pass"  # nothing measured: a note, never a verdict
    assert PORTABILITY_METRIC not in [m.name for m in judged.metrics]
    assert any("cannot be rebuilt here" in n for n in judged.notes)
