"""Waivers in git: a failure a live waiver matches is `waived` (the gate passes) until the
waiver's expiry date, and fails again the day after, saying the waiver expired."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from mlgate.cli import main
from mlgate.compare.waivers import Waiver, apply_waivers
from mlgate.config import parse_waivers
from mlgate.errors import ConfigError
from mlgate.results.schema import MetricResult, TargetResult
from tests import model_builders as mb

WAIVERS = """
- model: "**/head.onnx"
  target: cpu
  metric: "*"
  reason: "wider network on purpose, see #482"
  expires: 2027-01-31
"""
FAST = "latency: {budget_seconds: 1, min_seconds: 0.2, segment_seconds: 0.1, min_segments: 4}\n"


@pytest.fixture
def models(tmp_path):
    base = mb.save(mb.matmul_chain(layers=1, width=64), tmp_path / "m" / "base.onnx")
    head = mb.save(mb.matmul_chain(layers=12, width=64), tmp_path / "m" / "head.onnx")
    (tmp_path / "mlgate.yml").write_text(FAST + "thresholds: {size: +10%}\n")
    (tmp_path / "mlgate-waivers.yml").write_text(WAIVERS)
    return base, head


def gate(capsys, tmp_path, base, head, today):
    config = str(tmp_path / "mlgate.yml")
    code = main(["compare", str(base), str(head), "--config", config, "--no-memory",
                 "--today", today, "--json", "r.json", "--comment", "c.md"])  # fmt: skip
    capsys.readouterr()
    return code, json.loads(Path("r.json").read_text()), Path("c.md").read_text()


def test_a_waiver_holds_until_its_expiry_date_and_not_after(tmp_path, capsys, models):
    base, head = models
    code, doc, comment = gate(capsys, tmp_path, base, head, "2027-01-31")
    size = next(m for m in doc["targets"][0]["metrics"] if m["name"] == "size")
    assert size["verdict"] == "waived"
    assert "waived until 2027-01-31: wider network on purpose, see #482" in "; ".join(size["notes"])
    assert doc["targets"][0]["verdict"] == "pass"
    assert code == 0
    assert "🟡 waived" in comment
    assert "; waived: " in comment
    assert "model size (waived until 2027-01-31" in comment

    code, doc, comment = gate(capsys, tmp_path, base, head, "2027-02-01")
    size = next(m for m in doc["targets"][0]["metrics"] if m["name"] == "size")
    assert size["verdict"] == "fail"
    assert code == 1
    assert any("expired on 2027-01-31" in n for n in doc["targets"][0]["notes"])
    assert "expired on 2027-01-31" in comment


def _target(verdict_of_size: str) -> TargetResult:
    size = MetricResult("size", "bytes", False, 1.0, 2.0, 1.0, 1.0, "+10%", verdict_of_size)
    return TargetResult("cpu", ["CPUExecutionProvider"], 1, verdict_of_size, [size])


def test_waivers_match_model_target_and_metric_globs():
    waiver = Waiver("models/*.onnx", "cpu*", "si*", "ok", dt.date(2030, 1, 1))
    today = dt.date(2026, 11, 23)
    assert apply_waivers(_target("fail"), "models/a.onnx", [waiver], today).verdict == "pass"
    for model, target in (("other/a.onnx", "cpu"), ("models/a.onnx", "gpu")):
        result = apply_waivers(
            TargetResult(target, [], 1, "fail", _target("fail").metrics), model, [waiver], today
        )
        assert result.verdict == "fail"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- {model: a, metric: size, reason: why, expires: someday}", "expires"),
        ("- {model: a, metric: size, expires: 2027-01-01}", "reason"),
        ("- {model: a, metric: size, reason: why, expires: 2027-01-01, owner: me}", "unknown key"),
        ("model: a", "expected a list of waivers"),
    ],
)
def test_bad_waiver_files_are_one_line_config_errors(text, message):
    with pytest.raises(ConfigError, match=message) as raised:
        parse_waivers(text, "mlgate-waivers.yml")
    assert "\n" not in str(raised.value)
