"""The verdict corpus builds what it claims: models that load, eval data that fits them, and
the change each case is named for. The verdicts themselves are the benchmark's job
(`python -m benchmarks.verdict_corpus`), not the suite's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from benchmarks.corpus import catalog, sources, truth
from benchmarks.verdict_corpus import build, right

pytestmark = pytest.mark.slow

TYPES = {"tensor(float)": np.float32, "tensor(int64)": np.int64}


def case(name: str) -> catalog.Case:
    return next(each for each in catalog.CASES if each.name == name)


def built(name: str, corpus: Path) -> Path:
    try:
        return build(case(name), corpus)
    except sources.MissingModel as missing:
        pytest.skip(str(missing))


def assert_fits(folder: Path) -> dict:
    """Both models pass the checker and run on eval.npz, which holds exactly one array per
    model input (right dtype and rank) plus optional labels, one per prediction."""
    feeds, labels = truth.load_eval(folder / "eval.npz")
    outputs = []
    for side in ("base.onnx", "head.onnx"):
        onnx.checker.check_model(str(folder / side))
        session = truth.session(folder / side)
        specs = {spec.name: spec for spec in session.get_inputs()}
        assert set(feeds) == set(specs)
        for name, spec in specs.items():
            assert feeds[name].dtype == TYPES[spec.type], name
            assert feeds[name].ndim == len(spec.shape), name
        outputs.append(session.run(None, feeds))
    if labels is not None:
        assert truth.accuracy(outputs[0], labels) is not None
    return truth.measure(folder, seconds=0)


def test_cases_are_named_once_and_cover_every_kind_of_change():
    names = [each.name for each in catalog.CASES]
    assert len(names) == len(set(names))
    assert {each.expected for each in catalog.CASES} == {"fail", "pass", "not-fail", "not-pass"}
    groups = {each.group for each in catalog.CASES}
    assert groups == {"int8", "slowdown", "accuracy", "re-export", "a/a", "improvement"}


def test_small_labelled_eval_set_holds_a_real_accuracy_drop(tmp_path):
    folder = built("wine-logreg-small-eval", tmp_path)
    found = assert_fits(folder)
    with np.load(folder / "eval.npz") as data:
        assert data["X"].shape == (40, 13)
    assert found["accuracy_base"] - found["accuracy_head"] >= 0.05


def test_int8_case_quantizes_and_keeps_its_labels_fitting(tmp_path):
    folder = built("digits-mlp-int8-labelled", tmp_path)
    found = assert_fits(folder)
    ops = {node.op_type for node in onnx.load(folder / "head.onnx").graph.node}
    assert "DynamicQuantizeLinear" in ops
    assert found["max_abs_diff"] > 0
    assert abs(found["accuracy_base"] - found["accuracy_head"]) < 0.01


def test_re_serialized_real_model_is_an_exact_a_a_and_is_built_once(tmp_path):
    folder = built("vad-aa-reserialized", tmp_path)
    found = assert_fits(folder)
    assert found["max_abs_diff"] == 0.0
    stamp = (folder / "case.json").stat().st_mtime_ns
    assert build(case("vad-aa-reserialized"), tmp_path) == folder
    assert (folder / "case.json").stat().st_mtime_ns == stamp


@pytest.mark.parametrize(
    ("expected", "verdict", "wall", "is_right"),
    [
        ("fail", "fail", 10.0, True),
        ("fail", "pass", 10.0, False),
        ("pass", "pass", 181.0, False),
        ("not-fail", "pass", 10.0, True),
        ("not-fail", "fail", 10.0, False),
        ("not-pass", "inconclusive", 10.0, True),
        ("not-pass", "fail", 10.0, True),
        ("not-pass", "pass", 10.0, False),
        ("pass", "inconclusive", 10.0, False),
        ("pass", "error", 1.0, False),
    ],
)
def test_verdict_scoring(expected, verdict, wall, is_right):
    assert right(expected, {"verdict": verdict, "wall_s": wall}) is is_right
