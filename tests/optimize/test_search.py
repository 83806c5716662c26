"""The variant search on real models: fidelity first, then interleaved A/B; the
recommendation follows measurements, and "none" is a valid answer."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import pytest

from mlgate.bench.inputs import load_eval_data
from mlgate.bench.session import Target
from mlgate.cli import main
from mlgate.optimize.fidelity import Budget
from mlgate.optimize.search import search
from mlgate.optimize.search_job import SearchInput, SearchSettings
from tests import model_builders as mb
from tests.github.actions_runtime import DEMO

CPU = Target("cpu", ("CPUExecutionProvider",), 1)
QUICK = SearchSettings(budget_seconds=40, screen_seconds=1.0, final_seconds=3.0)


def demo_job(path: Path = DEMO / "head.onnx") -> SearchInput:
    data = load_eval_data(DEMO / "eval.npz")
    return SearchInput(path, "head.onnx", CPU, data, "top1", "probabilities", None)


@pytest.mark.slow
def test_the_recommended_variant_is_within_budget_and_clearly_faster(tmp_path):
    outcome = search(demo_job(), Budget(), QUICK, tmp_path / "out")
    statuses = {v.name: v.status for v in outcome.variants}
    assert outcome.seconds < QUICK.budget_seconds + 15
    assert statuses["fp16"] == "skipped"  # CPU target
    for variant in outcome.variants:
        if variant.status in ("rejected", "failed", "skipped", "slower"):
            assert variant.reason, variant
    assert outcome.recommended is not None, statuses
    best = next(v for v in outcome.variants if v.name == outcome.recommended)
    assert best.speedup_ci[0] > 1.0  # the whole interval: clearly faster
    assert best.accuracy_change >= -0.005
    assert best.cosine >= 0.99
    faster = [v for v in outcome.variants if v.status == "faster"]
    assert all(v.speedup <= best.speedup for v in faster)
    assert outcome.best_path is not None
    assert outcome.best_path.is_file()
    onnx.checker.check_model(onnx.load(str(outcome.best_path)))


@pytest.mark.slow
def test_a_strict_budget_rejects_int8_with_the_number_that_rejected_it(tmp_path):
    strict = Budget(min_cosine=0.9999999, max_accuracy_drop=0.0)
    settings = SearchSettings(budget_seconds=25, screen_seconds=0.5, final_seconds=2.0)
    outcome = search(demo_job(), strict, settings)
    rejected = [v for v in outcome.variants if v.status == "rejected"]
    assert rejected
    assert all(("cosine" in v.reason) or ("accuracy" in v.reason) for v in rejected)
    for v in outcome.variants:
        if v.name == outcome.recommended:
            assert v.cosine >= 0.9999999


def test_tree_models_get_clean_skips_and_no_recommendation(tmp_path):
    forest, data = mb.sklearn_models(tmp_path)["sklearn-forest"]
    job = SearchInput(forest, "forest.onnx", CPU, load_eval_data(data), "top1", "label", None)
    outcome = search(job, Budget(), SearchSettings(budget_seconds=30, screen_seconds=0.5))
    assert outcome.recommended is None
    reasons = {v.name: v.reason for v in outcome.variants}
    assert "only ai.onnx.ml ops" in reasons["dynamic-int8"]
    assert all(v.status in ("skipped", "failed") for v in outcome.variants), reasons


@pytest.mark.slow
def test_mlgate_optimize_saves_the_model_with_provenance_and_a_recommended_key(tmp_path, capsys):
    code = main(["optimize", str(DEMO / "head.onnx"), "--data", str(DEMO / "eval.npz"),
                 "--budget-seconds", "30", "--json", "o.json", "--out", "best"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    document = json.loads(Path("o.json").read_text())
    assert "recommended" in document
    recommended = document["recommended"]
    if recommended is None:
        assert "recommended: none" in out
        return
    saved = Path(recommended["path"])
    assert saved.is_file()
    record = json.loads(saved.with_suffix(".json").read_text())
    assert record["input_sha256"] == document["sha256"]
    assert record["passes"][-1]["pass"].startswith(("static-", "dynamic-", "ort-", "onnx"))
    assert record["speedup_ci"][0] > 1.0
    import hashlib

    assert record["output_sha256"] == hashlib.sha256(saved.read_bytes()).hexdigest()
