"""Fidelity judging of a variant against the original: the budget's rule in words, the max
abs diff relative to the output's range, and the number that rejects a variant. Outputs of a
real onnxruntime session of a tiny real model, perturbed by known amounts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlgate.bench.accuracy import Output
from mlgate.bench.inputs import Batch
from mlgate.optimize.fidelity import Budget, judge_fidelity, outputs, relative_diff
from mlgate.optimize.search_job import SearchInput
from tests import model_builders as mb
from tests.optimize.search_jobs import CPU


def _job(path: Path, metric: str = "top1") -> SearchInput:
    return SearchInput(path, "mm.onnx", CPU, None, metric, None, None)


def _original(tmp_path: Path) -> tuple[SearchInput, list[Output]]:
    path = mb.save(mb.matmul_chain(layers=2, width=8, batch=16), tmp_path / "mm.onnx")
    rng = np.random.default_rng(0)
    batches = [Batch({"x": rng.standard_normal((16, 8)).astype(np.float32)}, None)]
    job = _job(path)
    return job, outputs(path, job, batches)


def _scaled(found: list[Output], factor: float, shift: float = 0.0) -> list[Output]:
    return [Output(o.name, [b * factor + shift for b in o.batches]) for o in found]


def test_the_budget_says_its_rule():
    assert Budget().describe() == (
        "cosine ≥ 0.99, accuracy drop ≤ 0.5 pt, max abs diff ≤ 0.5 × output range"
    )
    assert Budget(max_relative_diff=None).describe() == "cosine ≥ 0.99, accuracy drop ≤ 0.5 pt"


def test_outputs_of_the_original_under_the_reference_session(tmp_path):
    _, found = _original(tmp_path)
    assert [o.name for o in found] == ["y"]
    assert found[0].joined().shape == (16, 8)


def test_relative_diff_is_the_worst_gap_over_the_output_range():
    a = Output("y", [np.array([[0.0, 10.0]], np.float32)])
    b = Output("y", [np.array([[1.0, 10.0]], np.float32)])
    assert relative_diff([a], [b]) == pytest.approx(0.1)
    labels = Output("label", [np.array([1, 2])])  # integer outputs are not compared
    assert relative_diff([labels], [labels]) is None


def test_the_same_outputs_are_within_budget(tmp_path):
    job, found = _original(tmp_path)
    numbers, reason = judge_fidelity(found, found, job, Budget(), None)
    assert reason == ""
    assert numbers["cosine"] == pytest.approx(1.0)
    assert numbers["max_abs_diff"] == 0.0
    assert numbers["accuracy_change"] is None


def test_a_shifted_output_is_rejected_by_its_cosine_with_the_number(tmp_path):
    job, found = _original(tmp_path)
    _, reason = judge_fidelity(found, _scaled(found, -1.0), job, Budget(), None)
    assert reason.startswith("cosine -1.0000 < 0.99")


def test_a_local_disagreement_a_mean_cosine_hides_is_rejected(tmp_path):
    job, found = _original(tmp_path)
    variant = [Output(o.name, [b.copy() for b in o.batches]) for o in found]
    spread = float(np.ptp(found[0].joined()))
    variant[0].batches[0][0, 0] += spread  # one value off by the whole range
    numbers, reason = judge_fidelity(found, variant, job, Budget(min_cosine=0.5), None)
    assert numbers["cosine"] is not None
    assert numbers["cosine"] > 0.5
    assert "of the output's range: local disagreement a mean cosine hides" in reason


def test_an_accuracy_drop_beyond_the_budget_rejects_with_both_scores(tmp_path):
    job, found = _original(tmp_path)
    labels = np.argmax(found[0].joined(), axis=1)  # the original is always right
    flipped = _scaled(found, 1.0)
    flipped[0].batches[0][:4] = flipped[0].batches[0][:4, ::-1]  # a quarter change class
    changed = np.argmax(flipped[0].joined(), axis=1) != labels
    assert changed.any()
    numbers, reason = judge_fidelity(found, flipped, job, Budget(min_cosine=-1.0), labels)
    assert numbers["accuracy_change"] == pytest.approx(-changed.mean())
    assert reason.startswith(f"accuracy: top1 {1 - changed.mean():.4g} vs 1 (budget 0.5% drop)")
