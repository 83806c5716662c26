"""gate.export: results and run files in other tools' formats (the CLI's flags and one-line
errors are tested in commands/test_export.py)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json

import pytest

from mlgate.errors import ConfigError, DataError
from mlgate.gate.export import ExportOptions, export
from mlgate.results import store
from mlgate.results.schema import SCHEMA_VERSION, RunContextInfo, RunReport
from tests.render.sample import sample_results


def _results_file(tmp_path, name="results.json", **changes):
    path = tmp_path / name
    store.write_results(dataclasses.replace(sample_results(fail=False), **changes), path)
    return path


def test_csv_without_out_is_returned_as_text_with_a_row_per_metric(tmp_path):
    outcome = export(ExportOptions((_results_file(tmp_path),), "csv"))
    assert outcome.written == []
    rows = list(csv.DictReader(io.StringIO(outcome.text)))
    assert rows
    assert {row["model"] for row in rows} == {"models/classifier.onnx"}


def test_csv_with_out_is_written_and_its_folder_made(tmp_path):
    out = tmp_path / "deep" / "export.csv"
    outcome = export(ExportOptions((_results_file(tmp_path),), "csv", out))
    assert (outcome.written, outcome.text) == ([out], "")
    assert out.read_text().splitlines()[0].startswith("model,")


def test_a_run_file_contributes_every_model(tmp_path):
    results = [sample_results(fail=False, model=f"models/{m}.onnx") for m in ("a", "b")]
    run = RunReport(
        SCHEMA_VERSION, "mlgate-run", "2026-11-20T10:00:00+00:00", "pass",
        RunContextInfo(), "defaults", results=results,
    )  # fmt: skip
    store.write_results(run, tmp_path / "run.json")
    text = export(ExportOptions((tmp_path / "run.json",), "csv")).text
    models = {row["model"] for row in csv.DictReader(io.StringIO(text))}
    assert models == {"models/a.onnx", "models/b.onnx"}


def test_github_action_benchmark_files_split_by_direction(tmp_path):
    outcome = export(
        ExportOptions((_results_file(tmp_path),), "github-action-benchmark", tmp_path / "gab")
    )
    names = sorted(p.name for p in outcome.written)
    assert set(names) <= {"bigger-is-better.json", "smaller-is-better.json"}
    assert "smaller-is-better.json" in names  # latency, size
    for path in outcome.written:
        entries = json.loads(path.read_text())
        assert entries
        assert {"name", "unit", "value"} <= set(entries[0])


def test_an_unknown_format_and_a_missing_file_are_refused(tmp_path):
    with pytest.raises(ConfigError, match="--format xml: use one of github-action-benchmark, csv"):
        export(ExportOptions((), "xml"))
    with pytest.raises(DataError, match="results file not found"):
        export(ExportOptions((tmp_path / "none.json",), "csv"))
