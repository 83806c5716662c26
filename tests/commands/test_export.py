"""`mlgate export`: github-action-benchmark's custom JSON and CSV, from results and run files."""

from __future__ import annotations

import csv
import json

import jsonschema
import pytest

from mlgate.cli import main
from mlgate.results import store
from mlgate.results.schema import SCHEMA_VERSION, RunContextInfo, RunReport
from tests.render.sample import sample_results

# What github-action-benchmark reads for tool customSmallerIsBetter / customBiggerIsBetter:
# its `BenchmarkResult` interface (src/extract.ts), an array it refuses when empty.
CUSTOM_BENCHMARK_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["name", "value", "unit"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1},
            "value": {"type": "number"},
            "unit": {"type": "string"},
            "range": {"type": "string"},
            "extra": {"type": "string"},
        },
    },
}


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_github_action_benchmark_files_validate_and_split_by_direction(tmp_path, capsys):
    results = sample_results()
    store.write_results(results, tmp_path / "r.json")
    code, out, _ = run(
        capsys, "export", str(tmp_path / "r.json"), "--format", "github-action-benchmark",
        "--out", str(tmp_path / "gab"),
    )  # fmt: skip
    assert code == 0
    smaller = json.loads((tmp_path / "gab" / "smaller-is-better.json").read_text())
    bigger = json.loads((tmp_path / "gab" / "bigger-is-better.json").read_text())
    for entries in (smaller, bigger):
        jsonschema.validate(entries, CUSTOM_BENCHMARK_SCHEMA)
    names = {e["name"]: e for e in smaller}
    p50 = names["models/classifier.onnx [cpu-x86] latency.p50"]
    assert p50["unit"] == "ms"
    assert p50["value"] == pytest.approx(1.01738)  # the sample head p50, 1.01738e-3 s
    assert p50["range"].startswith("CI +")
    assert "threshold: +5%" in p50["extra"]
    assert "models/classifier.onnx [cpu-x86] accuracy" in {e["name"] for e in bigger}
    assert all(not e["name"].endswith("accuracy") for e in smaller)
    assert "wrote" in out


def test_run_files_export_every_model_to_csv(tmp_path, capsys):
    report = RunReport(
        SCHEMA_VERSION, "mlgate-run", "2026-11-23T00:00:00+00:00", "fail", RunContextInfo(),
        "defaults", results=[sample_results(model="a.onnx"), sample_results(model="b.onnx")],
    )  # fmt: skip
    store.write_results(report, tmp_path / "run.json")
    code, _, _ = run(capsys, "export", str(tmp_path / "run.json"), "--format", "csv",
                     "--out", str(tmp_path / "all.csv"))  # fmt: skip
    assert code == 0
    with (tmp_path / "all.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    per_model = len(sample_results().targets[0].metrics)
    assert len(rows) == 2 * per_model
    p50 = next(r for r in rows if r["model"] == "b.onnx" and r["metric"] == "latency.p50")
    assert float(p50["head"]) == pytest.approx(1.01738e-3)
    assert p50["verdict"] == "fail"
    assert float(p50["ci_low"]) < float(p50["change"]) < float(p50["ci_high"]) + 1e-12


def test_csv_goes_to_stdout_without_out(tmp_path, capsys):
    store.write_results(sample_results(), tmp_path / "r.json")
    code, out, _ = run(capsys, "export", str(tmp_path / "r.json"), "--format", "csv")
    assert code == 0
    assert out.splitlines()[0].startswith("model,target,metric,unit")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.json", "--format", "csv"], "results file not found"),
        (["r.json", "--format", "xml"], "invalid choice"),
        (["bad.json", "--format", "csv"], "not valid JSON"),
    ],
)
def test_bad_export_input_is_one_line(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    store.write_results(sample_results(), tmp_path / "r.json")
    (tmp_path / "bad.json").write_text("{not json")
    code, _, err = run(capsys, "export", *args)
    assert code == 2
    assert message in err
    assert err.count("\n") == 1
