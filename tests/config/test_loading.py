"""Loading `mlgate.yml`: defaults without a file, `./mlgate.yml` when present, a full example,
and a YAML error with its position."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlgate.config import load_config, parse_config
from mlgate.errors import ConfigError


def test_no_file_means_defaults():
    config, origin = load_config(None)
    assert origin is None
    assert [t.name for t in config.targets] == ["cpu"]
    assert config.targets[0].providers == ["CPUExecutionProvider"]
    thresholds = config.thresholds_for(config.model_for("m.onnx"), {})
    assert thresholds["accuracy"].text == "-0.5pp"
    assert thresholds["latency.p50"].text == "+5%"
    assert thresholds["size"].text == "+10%"
    assert thresholds["memory.peak"].text == "+10%"


def test_default_file_in_working_directory_is_used(tmp_path):
    (tmp_path / "mlgate.yml").write_text("thresholds: {latency.p50: '+3%'}\n")
    config, origin = load_config(None)
    assert origin == Path("mlgate.yml")
    assert config.thresholds["latency.p50"] == "+3%"


def test_full_example_round_trips():
    config = parse_config(
        """
version: 1
models:
  - path: models/**/*.onnx
    eval: {data: data/eval.npz, metric: topk:5, output: logits, batch_size: 64}
    inputs: {input_ids: [1, 128]}
    thresholds: {latency.p50: '+8%'}
targets:
  - {name: cpu-x86, runs_on: ubuntu-latest, threads: 2}
  - name: gpu
    runs_on: [self-hosted, gpu]
    providers: [CUDAExecutionProvider]
    allow_missing: true
thresholds: {accuracy: -1pp, fidelity.cosine: '>= 0.999', size: off}
latency: {budget_seconds: 10, confidence: 0.99}
""",
        "mlgate.yml",
    )
    model = config.model_for("models/vision/net.onnx")
    assert model.eval.metric == "topk:5"
    thresholds = config.thresholds_for(model, {"latency.p90": "+20%"})
    assert thresholds["latency.p50"].value == pytest.approx(0.08)  # per-model wins
    assert thresholds["latency.p90"].value == pytest.approx(0.20)  # command line wins
    assert thresholds["accuracy"].value == pytest.approx(0.01)
    assert "size" not in thresholds  # turned off
    assert config.model_for("other/net.onnx").path == "other/net.onnx"  # defaults


def test_yaml_error_has_position():
    with pytest.raises(ConfigError, match=r"c.yml: line \d+, column \d+: invalid YAML"):
        parse_config("a: 1\nb: [\n", "c.yml")
