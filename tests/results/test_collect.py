"""Gathering a release's results from a folder: every results document, grouped by model,
runners kept, other JSON listed, the same (model, target) twice refused."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mlgate.errors import DataError
from mlgate.results import collect as collect_module
from mlgate.results.collect import collect
from mlgate.results.schema import SCHEMA_VERSION, RunContextInfo, RunReport
from mlgate.results.store import write_results
from tests.render.sample import sample_results


def test_collect_groups_targets_by_model_and_refuses_the_same_target_twice(tmp_path: Path):
    fail, other = sample_results(fail=True), sample_results(fail=False)
    arm = dataclasses.replace(other, targets=[dataclasses.replace(other.targets[0], name="arm")])
    write_results(fail, tmp_path / "x86" / "results.json")
    write_results(arm, tmp_path / "arm" / "results.json")
    (tmp_path / "benchmark.json").write_text('{"benchmarks": []}')
    found = collect(tmp_path)
    assert [t.name for t in found.models[0].targets] == ["arm", "cpu-x86"]
    assert found.models[0].verdict == "fail"
    assert found.ignored == ["benchmark.json"]
    assert sorted(r.source for r in found.runners) == ["arm/results.json", "x86/results.json"]
    write_results(fail, tmp_path / "copy" / "results.json")
    with pytest.raises(DataError, match=r"is in both copy/results\.json and x86/results\.json"):
        collect(tmp_path)


def test_a_run_report_brings_its_models_and_its_commits(tmp_path: Path):
    context = RunContextInfo(repository="o/r", head_sha="h" * 40, base_sha="b" * 40)
    run = RunReport(
        SCHEMA_VERSION, "mlgate-run", "2026-12-01T00:00:00+00:00", "pass", context, "mlgate.yml",
        results=[sample_results(fail=False), sample_results(fail=False, model="b.onnx")],
    )  # fmt: skip
    write_results(run, tmp_path / "run.json")
    found = collect(tmp_path / "run.json")  # one file, not a folder
    assert [m.model for m in found.models] == ["models/classifier.onnx", "b.onnx"]
    assert found.contexts == [context]
    assert found.sources == ["run.json"]
    assert len(found.parts) == 2


def test_a_missing_folder_or_one_without_results_says_what_to_pass(tmp_path: Path):
    with pytest.raises(DataError, match="results folder not found"):
        collect(tmp_path / "absent")
    (tmp_path / "other.json").write_text('{"not": "results"}')
    with pytest.raises(DataError, match=r"no mlgate results in .*: expected run\.json"):
        collect(tmp_path)


def test_an_oversize_file_is_refused(tmp_path: Path, monkeypatch):
    write_results(sample_results(fail=False), tmp_path / "results.json")
    monkeypatch.setattr(collect_module, "MAX_RESULTS_BYTES", 100)
    with pytest.raises(DataError, match=r"results\.json is larger than 0 MB"):
        collect(tmp_path)
