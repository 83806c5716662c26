"""`run_gate` end to end on real tiny models: plan, measure, judge, report in one call."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from mlgate.error_handler import EXIT_BAD_INPUT, EXIT_PASS, EXIT_REGRESSION
from mlgate.errors import ConfigError, ModelError
from mlgate.gate.request import GateRequest
from mlgate.gate.service import run_gate
from tests import model_builders as mb
from tests.conftest import FAST_CONFIG


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "mlgate.yml"
    path.write_text(FAST_CONFIG + extra)
    return path


def test_a_larger_head_fails_on_size_and_writes_both_outputs(tmp_path):
    """Through the isolated child process, as every real run goes."""
    base = mb.save(mb.matmul_chain(layers=2, width=32), tmp_path / "base.onnx")
    head = mb.save(mb.matmul_chain(layers=3, width=32), tmp_path / "head.onnx")
    outcome = run_gate(
        GateRequest(
            base=base,
            head=head,
            config=_config(tmp_path),
            json_out=tmp_path / "r.json",
            comment_out=tmp_path / "c.md",
            thresholds={"size": "+5%", "params": "+5%"},
            measure_memory=False,
            label="models/chain.onnx",
        )
    )
    assert outcome.error is None
    assert outcome.exit_code == EXIT_REGRESSION
    assert outcome.results.verdict == "fail"
    assert outcome.results.model == "models/chain.onnx"
    verdicts = {m.name: m.verdict for m in outcome.results.targets[0].metrics}
    assert verdicts["size"] == "fail"
    assert verdicts["params"] == "fail"
    assert outcome.written == [tmp_path / "r.json", tmp_path / "c.md"]
    assert json.loads((tmp_path / "r.json").read_text())["verdict"] == "fail"
    assert "size" in (tmp_path / "c.md").read_text()
    assert "fail" in outcome.summary.lower() or "❌" in outcome.summary


def test_the_same_model_with_eval_data_passes_and_records_the_eval_set(tmp_path):
    model = mb.save(mb.matmul_chain(layers=2, width=16), tmp_path / "m.onnx")
    np.savez(tmp_path / "eval.npz", x=np.ones((4, 16), np.float32))
    outcome = run_gate(
        GateRequest(
            base=model,
            head=model,
            data=tmp_path / "eval.npz",
            config=_config(tmp_path, "limits: {isolate: false}\n"),
            measure_memory=False,
        )
    )
    assert outcome.error is None
    assert outcome.exit_code == EXIT_PASS or outcome.results.verdict == "inconclusive"
    assert outcome.results.verdict in ("pass", "inconclusive")
    assert outcome.results.eval is not None
    assert outcome.results.eval.examples == 4
    assert outcome.written == []


def test_an_unknown_target_is_bad_input_before_any_model_is_loaded(tmp_path):
    model = mb.save(mb.matmul_chain(layers=1, width=8), tmp_path / "m.onnx")
    outcome = run_gate(
        GateRequest(
            base=model,
            head=model,
            config=_config(tmp_path),
            targets=("tpu",),
            json_out=tmp_path / "r.json",
        )
    )
    assert isinstance(outcome.error, ConfigError)
    assert "--target tpu" in str(outcome.error)
    assert outcome.exit_code == EXIT_BAD_INPUT
    assert outcome.results.verdict == "error"
    assert outcome.results.base is None
    assert json.loads((tmp_path / "r.json").read_text())["errors"] == outcome.results.errors


def test_a_broken_head_keeps_the_base_record(tmp_path):
    base = mb.save(mb.matmul_chain(layers=1, width=8), tmp_path / "base.onnx")
    head = tmp_path / "head.onnx"
    head.write_bytes(b"not a model")
    outcome = run_gate(
        GateRequest(base=base, head=head, config=_config(tmp_path, "limits: {isolate: false}\n"))
    )
    assert isinstance(outcome.error, ModelError)
    assert outcome.exit_code == EXIT_BAD_INPUT
    assert outcome.results.base is not None
    assert outcome.results.head is None


def test_the_first_targets_bill_counts_from_the_start_of_the_run(tmp_path, monkeypatch):
    """Loading, checking and profiling the models are part of "at most 3 minutes per model
    and target": the first target's bill starts with the run, a later target's with itself."""
    import time

    from mlgate.gate import measure

    measured = []
    real = measure.measure_target

    def spy(plan, target_config, request, progress, bill_from=None):  # type: ignore[no-untyped-def]
        called_at = time.monotonic()
        done = real(plan, target_config, request, progress, bill_from)
        measured.append((called_at, done.started))
        return done

    monkeypatch.setattr(measure, "measure_target", spy)
    model = mb.save(mb.matmul_chain(layers=2, width=16), tmp_path / "m.onnx")
    config = _config(
        tmp_path,
        "limits: {isolate: false}\ntargets:\n  - {name: one}\n  - {name: two}\n",
    )
    outcome = run_gate(GateRequest(base=model, head=model, config=config, measure_memory=False))
    assert outcome.error is None
    (first_called, first_bill), (second_called, second_bill) = measured
    assert first_bill < first_called  # counted from before: the run's start
    assert second_bill >= second_called  # a later target's bill starts with it
