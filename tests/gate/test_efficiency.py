"""Energy, cost and carbon through `mlgate compare` and `mlgate profile`, in-process through
the CLI: a fixture powercap tree whose counter a thread advances stands in for RAPL."""

from __future__ import annotations

import itertools
import json
import threading
import time
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from tests import model_builders as mb
from tests.commands.test_compare import FAST_LATENCY, metric, results, run

SCHEMAS = Path(__file__).resolve().parents[2] / "src/mlgate/schemas"

TARGET = (
    "targets:\n"
    "  - name: cpu\n"
    "    price_per_hour: 0.36\n"
    "    carbon_intensity: 400\n"
    "    watts_per_core: 10\n"
    "energy: {window_seconds: 0.05, windows: 6}\n"
)


@pytest.fixture
def models(tmp_path: Path) -> tuple[Path, Path, Path]:
    base = mb.save(mb.matmul_chain(layers=2, width=64), tmp_path / "base.onnx")
    head = mb.save(mb.matmul_chain(layers=6, width=64), tmp_path / "head.onnx")
    data = tmp_path / "eval.npz"
    np.savez(data, x=np.random.default_rng(0).standard_normal((8, 64)).astype(np.float32))
    return base, head, data


def test_estimated_energy_cost_and_carbon_with_their_methods(tmp_path, capsys, models):
    base, head, data = models
    config = tmp_path / "mlgate.yml"
    config.write_text(FAST_LATENCY + TARGET)
    code, out, _ = run(
        capsys, "compare", str(base), str(head), "--data", str(data), "--config", str(config),
        "--json", "r.json", "--comment", "c.md", "--no-memory",
    )  # fmt: skip
    doc = results(Path("r.json"))
    target = doc["targets"][0]
    energy = metric(doc, "energy")
    assert energy["source"] == "estimated: CPU time × 10 W/core"
    assert target["energy"]["method"] == "estimated"
    assert target["energy"]["windows"] == 6
    # Positive, and no order asserted between the models: that is a timing claim.
    assert min(energy["head"], energy["base"]) > 0
    proxy = metric(doc, "energy_proxy")
    assert proxy["source"] == "proxy: horowitz45-v1"
    assert proxy["verdict"] == "fail"
    # Three times the MatMuls: exactly three times the MACs, counted at the timed shapes
    # (one example of the 8 per call).
    assert metric(doc, "macs")["head"] == 3 * metric(doc, "macs")["base"] == 3 * 2 * 1 * 64 * 64
    assert doc["head"]["compute"]["input_shapes"] == target["latency"]["input_shapes"]
    cost = metric(doc, "cost")
    p50 = metric(doc, "latency.p50")
    assert cost["head"] / cost["base"] == pytest.approx(p50["head"] / p50["base"], rel=0.05)
    carbon = metric(doc, "carbon")
    assert carbon["head"] == pytest.approx(energy["head"] * 1e6 / 3.6e6 * 400)
    assert "estimated energy" in carbon["source"]
    assert code == 1
    comment = Path("c.md").read_text()
    assert "| energy / inference (estimated) |" in comment
    assert "| energy / inference (proxy) |" in comment
    assert "Energy estimated from CPU time × 10 W/core (no meter on this runner)" in comment
    assert "Across targets: latency, energy, cost and carbon per million inferences" in comment
    assert "+4 MatMul, +4 Relu" in comment  # the graph diff
    assert "energy / inference (estimated)" in out


class AdvancingCounter(threading.Thread):
    """Plays the RAPL package counter: 15 W, written every millisecond, wrapping at
    `max_range`. It remembers what it wrote, to show that it wrapped."""

    def __init__(self, energy_file: Path, max_range: int) -> None:
        super().__init__(daemon=True)
        self.file, self.max_range = energy_file, max_range
        self.stop = threading.Event()
        self.written: list[int] = []

    def run(self) -> None:
        start = time.perf_counter()
        while not self.stop.is_set():
            microjoules = int((time.perf_counter() - start) * 15e6) % self.max_range
            tmp = self.file.with_suffix(".tmp")
            tmp.write_text(f"{microjoules}\n")
            tmp.replace(self.file)
            self.written.append(microjoules)
            time.sleep(0.001)


def test_rapl_through_the_command_with_a_wrapping_counter(tmp_path, capsys, models, monkeypatch):
    """RAPL read through the command while the counter wraps about every 130 ms, so
    inside energy windows of 50 ms. The arithmetic of a wrap is pinned exactly in
    tests/bench/test_energy_meters.py; here each model's joules must still come out positive.
    Nothing compares base with head: how their times relate is a timing claim, which
    belongs to the benchmarks."""
    base, head, data = models
    zone = tmp_path / "powercap" / "intel-rapl:0"
    zone.mkdir(parents=True)
    (zone / "name").write_text("package-0\n")
    max_range = 2_000_000
    (zone / "max_energy_range_uj").write_text(f"{max_range}\n")
    (zone / "energy_uj").write_text("0\n")
    monkeypatch.setenv("MLGATE_POWERCAP_ROOT", str(tmp_path / "powercap"))
    counter = AdvancingCounter(zone / "energy_uj", max_range)
    counter.start()
    try:
        config = tmp_path / "mlgate.yml"
        config.write_text(FAST_LATENCY + "energy: {window_seconds: 0.05, windows: 4}\n")
        run(capsys, "compare", str(base), str(head), "--data", str(data), "--config",
            str(config), "--json", "r.json", "--comment", "c.md", "--no-memory")  # fmt: skip
    finally:
        counter.stop.set()
        counter.join()
    wraps = sum(b < a for a, b in itertools.pairwise(counter.written))
    assert wraps >= 5  # the whole run lasts well over 5 × 133 ms
    doc = results(Path("r.json"))
    energy = doc["targets"][0]["energy"]
    assert (energy["method"], energy["windows"]) == ("rapl", 4)
    assert metric(doc, "energy")["source"] == "rapl: package-0"
    for model in ("base", "head"):
        assert 0 < metric(doc, "energy")[model] < 1  # joules per inference of a tiny MLP
    assert "| energy / inference (rapl) |" in Path("c.md").read_text()


def test_without_a_meter_or_watts_energy_is_not_measured_and_says_why(tmp_path, capsys, models):
    base, head, data = models
    config = tmp_path / "mlgate.yml"
    config.write_text(FAST_LATENCY)
    run(capsys, "compare", str(base), str(head), "--data", str(data), "--config", str(config),
        "--json", "r.json", "--no-memory")  # fmt: skip
    doc = results(Path("r.json"))
    assert all(m["name"] != "energy" for m in doc["targets"][0]["metrics"])
    assert any("watts_per_core" in note for note in doc["targets"][0]["notes"])
    assert metric(doc, "energy_proxy")["head"] > 0


def test_profile_command_prints_and_writes_a_schema_valid_profile(tmp_path, capsys):
    path = mb.save(mb.transformer_block(), tmp_path / "t.onnx")
    code, out, err = run(
        capsys, "profile", str(path), "--input", "input_ids=2,7",
        "--input", "attention_mask=2,7", "--json", "p.json",
    )  # fmt: skip
    assert code == 0, err
    document = json.loads(Path("p.json").read_text())
    jsonschema.validate(document, json.loads((SCHEMAS / "profile.schema.json").read_text()))
    compute = document["model"]["compute"]
    assert compute["macs"] == 13_984  # hand count: see tests/model/test_macs.py
    assert compute["macs_by_op"] == {"MatMul": {"float32": 13_984}}
    assert document["shape_sources"]["input_ids"] == "command line"
    assert "13,984" in out
    assert "horowitz45-v1" in out
    assert "LayerNormalization" in out


def test_profile_guesses_dynamic_dims_and_says_so(tmp_path, capsys):
    path = mb.save(mb.cnn(), tmp_path / "cnn.onnx")
    code, _out, _ = run(capsys, "profile", str(path), "--json", "p.json")
    assert code == 0
    document = json.loads(Path("p.json").read_text())
    assert document["model"]["compute"]["input_shapes"] == {"image": [1, 3, 224, 224]}
    assert "guessed" in document["shape_sources"]["image"]


@pytest.mark.parametrize("bad", ["x", "x=", "x=0,3", "x=a,b", "=1,2"])
def test_profile_rejects_bad_input_shapes_in_one_line(capsys, bad):
    code, _, err = run(capsys, "profile", "m.onnx", "--input", bad)
    assert code == 2
    assert "NAME=D1,D2" in err
    assert len(err.strip().splitlines()) == 1


def test_profile_of_a_broken_model_is_a_one_line_error(tmp_path, capsys):
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"not a model")
    code, _, err = run(capsys, "profile", str(broken))
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "broken.onnx" in err
