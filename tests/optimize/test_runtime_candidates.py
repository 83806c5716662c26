"""The search across runtimes: OpenVINO candidates measured like any variant, a target limited
to onnxruntime, and the search's answer when nothing is fast enough (which candidates are
planned: test_candidates.py; NNCF's int8 model: test_openvino_int8.py)."""

from __future__ import annotations

import pytest

from mlgate.optimize.fidelity import Budget
from mlgate.optimize.search import search
from mlgate.optimize.search_job import SearchInput, SearchSettings
from tests import model_builders as mb
from tests.optimize.search_jobs import CPU, cnn_job

pytest.importorskip("nncf")


def test_the_search_recommends_nothing_when_nothing_clears_the_bar(tmp_path):
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    settings = SearchSettings(budget_seconds=20, screen_seconds=0.4, final_seconds=1.0,
                              min_speedup=1e6, tune_static=False)  # fmt: skip
    outcome = search(cnn_job(path, ("openvino",)), Budget(), settings, tmp_path / "out")
    assert outcome.recommended is None
    assert outcome.deployment is None
    assert outcome.best_path is None
    assert not (tmp_path / "out").exists()
    rows = {v.name: v for v in outcome.variants}
    assert not any(name.startswith(("ort-", "dynamic-", "static-")) for name in rows)
    assert rows["openvino-fp32"].cosine is not None
    assert rows["openvino-fp32"].cosine > 0.9999
    assert rows["openvino-fp32"].speedup is not None  # measured, then not recommended
    assert all(v.status != "recommended" for v in outcome.variants)


def test_a_target_limited_to_onnxruntime_gets_no_openvino_candidates(tmp_path):
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    settings = SearchSettings(budget_seconds=8, screen_seconds=0.3, final_seconds=0.6,
                              tune_static=False)  # fmt: skip
    outcome = search(cnn_job(path, ("onnxruntime",)), Budget(), settings)
    assert not [v.name for v in outcome.variants if v.name.startswith("openvino")]
    if outcome.deployment is not None:
        assert outcome.deployment.runtime == "onnxruntime"


def test_a_model_openvino_cannot_read_is_tried_once_and_its_other_plans_skipped(tmp_path):
    forest, _ = mb.sklearn_models(tmp_path)["sklearn-forest"]
    job = SearchInput(forest, "forest.onnx", CPU, None, "fidelity", None, None, {},
                      ("openvino",))  # fmt: skip
    outcome = search(job, Budget(), SearchSettings(budget_seconds=20, screen_seconds=0.3))
    rows = {v.name: v for v in outcome.variants}
    assert rows["openvino-fp32"].status == "failed"
    assert rows["openvino-fp32"].reason.startswith("OpenVINO cannot compile forest.onnx: ")
    assert rows["openvino-nncf-int8"].status == "skipped"
    assert rows["openvino-nncf-int8"].reason == (
        "openvino cannot read this model (see openvino-fp32)"
    )
    assert outcome.recommended is None
