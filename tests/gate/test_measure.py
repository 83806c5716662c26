"""gate.measure: one target's paired measurement of two real models, a missing target that
may be skipped, and the eval record."""

from __future__ import annotations

import pytest

from mlgate.bench.session import Target, runtime_limits
from mlgate.config import Config, LatencyConfig, ModelConfig, TargetConfig
from mlgate.errors import TargetError
from mlgate.gate.measure import TargetMeasurement, eval_info, measure_target, skipped
from mlgate.gate.plan import Plan
from mlgate.gate.request import GateRequest
from mlgate.model.load import load_model
from mlgate.progress import LogProgress
from tests import model_builders as mb

MISSING = "NoSuchExecutionProvider"
SHORT = LatencyConfig(
    budget_seconds=0.4, min_seconds=0.05, warmup_seconds=0, segment_seconds=0.05, min_segments=2
)


def _plan(tmp_path) -> Plan:
    loaded = [
        load_model(mb.save(mb.matmul_chain(layers=n, width=16, batch=1), tmp_path / f"{n}.onnx"),
                   runtime_limits(), f"{n}.onnx")
        for n in (1, 2)
    ]  # fmt: skip
    return Plan(
        base=loaded[0],
        head=loaded[1],
        params=(256, 512),
        static=None,
        data=None,
        model=ModelConfig(path="2.onnx"),
        config=Config(latency=SHORT),
        thresholds={},
        label="2.onnx",
    )


def test_skipped_names_the_target_and_why():
    result = skipped(Target("gpu", (MISSING,), 1), "not installed")
    assert (result.name, result.verdict, result.providers) == ("gpu", "skipped", [MISSING])
    assert result.notes == ["skipped (allow_missing): not installed"]


def test_a_missing_target_is_skipped_only_when_allowed(tmp_path):
    plan = _plan(tmp_path)
    allowed = TargetConfig(name="gpu", providers=[MISSING], allow_missing=True)
    result = measure_target(plan, allowed, GateRequest("a", "b"), LogProgress(lambda _: None))
    assert not isinstance(result, TargetMeasurement)
    assert result.verdict == "skipped"
    required = TargetConfig(name="gpu", providers=[MISSING])
    with pytest.raises(TargetError):
        measure_target(plan, required, GateRequest("a", "b"), LogProgress(lambda _: None))


def test_a_present_target_is_measured_pairwise(tmp_path):
    plan = _plan(tmp_path)
    lines: list[str] = []
    request = GateRequest("a", "b", measure_memory=False)
    done = measure_target(plan, TargetConfig(name="cpu"), request, LogProgress(lines.append), 5.0)
    assert isinstance(done, TargetMeasurement)
    assert done.target.name == "cpu"
    assert done.started == 5.0  # the bill counts from the given start
    assert done.measured.static is None
    assert done.paired.measured is not None
    assert lines  # each phase is a progress step
    assert eval_info(plan, done.paired) is None  # no eval data: no eval record
