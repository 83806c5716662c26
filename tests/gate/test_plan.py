"""Planning a gate run: the trusted inputs that judge it, read and checked before any model."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from mlgate.config import Config, LoadedConfig, parse_config
from mlgate.errors import ConfigError, DataError
from mlgate.gate.files import GateFiles
from mlgate.gate.plan import (
    benchmark_files,
    loaded_config,
    selected_targets,
    thresholds_for,
    waivers_for,
)
from mlgate.gate.request import GateRequest

TWO_TARGETS = """\
targets:
  - {name: cpu, providers: [CPUExecutionProvider]}
  - {name: cpu-2, providers: [CPUExecutionProvider], threads: 2}
"""


def _request(**given: object) -> GateRequest:
    return GateRequest(base="a.onnx", head="b.onnx", **given)  # type: ignore[arg-type]


def test_an_override_with_a_bad_threshold_names_the_flag():
    config = Config()
    model = config.model_for("m.onnx")
    with pytest.raises(ConfigError, match=r"--threshold size=fast: .*not a threshold"):
        thresholds_for(config, model, {"size": "fast"}, None)
    with pytest.raises(ConfigError, match=r"--threshold sise=\+1%: unknown metric 'sise'"):
        thresholds_for(config, model, {"sise": "+1%"}, None)


def test_overrides_win_and_arrive_parsed():
    config = Config()
    thresholds = thresholds_for(config, config.model_for("m.onnx"), {"size": "+7%"}, None)
    assert thresholds["size"].kind == "relative"
    assert thresholds["size"].value == pytest.approx(0.07)


def test_targets_are_chosen_by_name_in_the_order_asked():
    config = parse_config(TWO_TARGETS, "mlgate.yml")
    assert [t.name for t in selected_targets(config, ())] == ["cpu", "cpu-2"]
    assert [t.name for t in selected_targets(config, ("cpu-2",))] == ["cpu-2"]
    with pytest.raises(ConfigError, match="--target gpu: no such target; configured: cpu, cpu-2"):
        selected_targets(config, ("gpu",))


def test_the_config_is_read_once_and_its_folder_is_where_data_is_found(tmp_path):
    (tmp_path / "gate").mkdir()
    path = tmp_path / "gate" / "mlgate.yml"
    path.write_text(TWO_TARGETS)
    loaded = loaded_config(_request(config=path))
    assert loaded.data_root == tmp_path / "gate"
    assert [t.name for t in loaded.config.targets] == ["cpu", "cpu-2"]
    given = LoadedConfig(Config(), tmp_path)
    assert loaded_config(_request(config=path, loaded_config=given)) is given


def test_waivers_come_from_beside_the_config_unless_given(tmp_path):
    gate = tmp_path / "gate"
    gate.mkdir()
    (gate / "mlgate-waivers.yml").write_text(
        "- {model: m.onnx, target: '*', metric: size, reason: known, expires: 2030-01-01}\n"
    )
    found = waivers_for(_request(), gate)
    assert [(w.metric, w.expires) for w in found] == [("size", datetime.date(2030, 1, 1))]
    assert waivers_for(_request(waivers=()), gate) == ()
    assert waivers_for(_request(), tmp_path) == ()  # none beside this config, none here


def test_a_missing_pytest_benchmark_file_is_bad_input(tmp_path):
    request = _request(pytest_benchmark=(tmp_path / "base.json", tmp_path / "head.json"))
    with pytest.raises(DataError, match=r"pytest-benchmark file not found: .*base\.json"):
        benchmark_files(request, Config(), GateFiles(tmp_path), tmp_path)
    assert benchmark_files(_request(), Config(), GateFiles(tmp_path), tmp_path) is None


def test_pytest_benchmark_files_are_parsed(tmp_path):
    document = '{"machine_info": {}, "benchmarks": [{"name": "t", "stats": {"mean": 1.0, '
    document += '"stddev": 0.1, "median": 1.0, "rounds": 5, "data": [1.0, 1.1, 0.9, 1.0, 1.0]}}]}'
    for name in ("base.json", "head.json"):
        (tmp_path / name).write_text(document)
    request = _request(pytest_benchmark=(tmp_path / "base.json", tmp_path / "head.json"))
    files = benchmark_files(request, Config(), GateFiles(Path(tmp_path)), tmp_path)
    assert files is not None
    assert [sorted(f.benchmarks) for f in files] == [["t"], ["t"]]
