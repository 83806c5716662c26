"""Judging measured numbers: thresholds and waivers to verdicts, through the pure rules."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from mlgate.bench.session import Target, runtime_limits
from mlgate.compare.waivers import Waiver
from mlgate.config import Config
from mlgate.error_handler import EXIT_BAD_INPUT, EXIT_PASS, EXIT_REGRESSION
from mlgate.gate.judge import exit_code, judge_benchmarks, judge_target, waived
from mlgate.gate.plan import Plan, thresholds_for
from mlgate.gate.report import Partial
from mlgate.model.load import load_model
from mlgate.results.measurements import Measured
from mlgate.results.verdicts import overall_verdict
from tests import model_builders as mb


@pytest.fixture
def plan(tmp_path) -> Plan:
    path = mb.save(mb.matmul_chain(layers=1, width=8), tmp_path / "m.onnx")
    model = load_model(path, runtime_limits())
    config = Config()
    model_config = config.model_for("m.onnx")
    thresholds = thresholds_for(config, model_config, {"size": "+5%"}, None)
    return Plan(
        base=model,
        head=model,
        params=(1, 1),
        static=None,
        data=None,
        model=model_config,
        config=config,
        thresholds=thresholds,
        label="models/m.onnx",
        today=datetime.date(2026, 12, 1),
    )


CPU = Target("cpu", ("CPUExecutionProvider",), 1)


def test_a_size_rise_past_its_threshold_fails_the_target(plan):
    result = judge_target(plan, CPU, Measured(size=(1000, 1200), params=(10, 10)), None)
    size = next(m for m in result.metrics if m.name == "size")
    assert (size.verdict, size.threshold) == ("fail", "+5%")
    assert result.verdict == "fail"
    assert (result.name, result.providers, result.threads) == ("cpu", ["CPUExecutionProvider"], 1)
    assert result.energy is None


def test_a_live_waiver_waives_and_an_expired_one_leaves_a_note(plan):
    result = judge_target(plan, CPU, Measured(size=(1000, 1200), params=(10, 10)), None)
    live = Waiver("models/*.onnx", "*", "size", "bigger on purpose", datetime.date(2027, 1, 1))
    done = waived(dataclasses.replace(plan, waivers=(live,)), result)
    assert done.verdict == "pass"
    assert "waived until 2027-01-01: bigger on purpose" in next(
        note for m in done.metrics if m.name == "size" for note in m.notes
    )
    old = dataclasses.replace(live, expires=datetime.date(2026, 1, 1))
    expired = waived(dataclasses.replace(plan, waivers=(old,)), result)
    assert expired.verdict == "fail"
    assert any("expired on 2026-01-01" in note for note in expired.notes)


def test_the_exit_code_follows_the_verdict_and_on_inconclusive(plan):
    result = judge_target(plan, CPU, Measured(size=(1000, 1000), params=(10, 10)), None)
    assert result.verdict == "pass"
    assert judge_benchmarks(plan) is None
    partial = Partial(model="m", reproduce="", targets=[result])
    results = partial.finish([])
    assert results.verdict == overall_verdict([result], [])
    assert exit_code(results, "neutral") == EXIT_PASS
    failing = dataclasses.replace(results, verdict="fail")
    assert exit_code(failing, "neutral") == EXIT_REGRESSION
    undecided = dataclasses.replace(results, verdict="inconclusive")
    assert exit_code(undecided, "neutral") == EXIT_PASS
    assert exit_code(undecided, "fail") == EXIT_REGRESSION
    errored = dataclasses.replace(results, verdict="error")
    assert exit_code(errored, "pass") == EXIT_BAD_INPUT  # never a green check
