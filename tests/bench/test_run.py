"""One base/head pair measured on one target with real onnxruntime sessions: accuracy and
fidelity on eval data (or synthetic inputs), interleaved latency, the kernel-time breakdown.
Numbers, not verdicts; the latency budget is short (these tests are not about timing)."""

from __future__ import annotations

import contextlib

import numpy as np

from mlgate.bench.inputs import load_eval_data
from mlgate.bench.latency import LatencySettings
from mlgate.bench.run import EvalSettings, PairRun, measure_pair, time_breakdown
from mlgate.bench.session import Target, runtime_limits
from mlgate.model.load import load_model
from tests.model_builders import matmul_chain, save

CPU = Target("cpu", ("CPUExecutionProvider",), 1)
QUICK = LatencySettings(
    budget_seconds=0.6, min_seconds=0.1, warmup_seconds=0.02, segment_seconds=0.05, min_segments=3
)


def _undecided(base: np.ndarray, head: np.ndarray, segment: np.ndarray) -> int:
    return 0  # never decided early: the run goes to its budget


def _pair(tmp_path, data=None, metric="top1", batch_size=None) -> PairRun:
    limits = runtime_limits()
    base = load_model(save(matmul_chain(layers=1, width=4, seed=1), tmp_path / "b.onnx"), limits)
    head = load_model(save(matmul_chain(layers=2, width=4, seed=2), tmp_path / "h.onnx"), limits)
    eval_data = load_eval_data(data) if data is not None else None
    return PairRun(
        base, head, (16, 32), CPU, eval_data, EvalSettings(metric, None, batch_size),
        {"x": [1, 4]}, QUICK, _undecided, measure_memory=False,
    )  # fmt: skip


def _eval_npz(tmp_path, labels=True):
    rng = np.random.default_rng(0)
    arrays = {"x": rng.standard_normal((12, 4)).astype(np.float32)}
    if labels:
        arrays["labels"] = rng.integers(0, 4, 12)
    path = tmp_path / "eval.npz"
    np.savez(path, **arrays)
    return path


def test_with_labelled_eval_data_accuracy_fidelity_and_latency_are_measured(tmp_path):
    run = _pair(tmp_path, _eval_npz(tmp_path))
    result = measure_pair(run)
    m = result.measured
    assert m.eval_metric == "top1"
    assert m.accuracy is not None
    assert all(0.0 <= a <= 1.0 for a in m.accuracy)
    assert m.accuracy_binary
    assert m.fidelity is not None
    assert m.latency_base.size == m.latency_head.size == result.latency.pairs > 0
    assert result.latency.input_source == "eval"
    assert result.latency.input_shapes == {"x": [1, 4]}  # one example per timed call
    assert (result.examples, result.batches) == (12, 1)
    assert m.params == (16, 32)
    assert m.memory is None


def test_without_labels_fidelity_is_judged_and_a_note_says_so(tmp_path):
    result = measure_pair(_pair(tmp_path, _eval_npz(tmp_path, labels=False)))
    assert result.measured.accuracy is None
    assert result.measured.fidelity is not None
    assert any("no labels" in note for note in result.measured.notes)


def test_without_eval_data_synthetic_inputs_are_timed(tmp_path):
    steps = []

    def step(text):
        steps.append(text)
        return contextlib.nullcontext()

    result = measure_pair(_pair(tmp_path), step)
    assert result.latency.input_source == "synthetic"
    assert result.measured.eval_metric is None
    assert result.measured.fidelity is not None
    assert any("no eval data" in note for note in result.measured.notes)
    assert steps == ["cpu: opening sessions", "cpu: interleaved A/B latency"]


def test_the_breakdown_profiles_the_timed_inputs(tmp_path):
    run = _pair(tmp_path, _eval_npz(tmp_path))
    paired = measure_pair(run)
    breakdown = time_breakdown(run, paired)
    assert breakdown is not None
    assert 3 <= breakdown.runs <= 50
    assert {"MatMul", "Relu"} <= {row.name for row in breakdown.by_op}


def test_a_configured_batch_is_timed_as_one_call(tmp_path):
    result = measure_pair(_pair(tmp_path, _eval_npz(tmp_path), batch_size=5))
    assert result.latency.input_shapes == {"x": [5, 4]}
    assert result.batches == 3  # 12 examples in batches of 5
