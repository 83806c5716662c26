"""What a gate run reports: partial results, the command that reproduces it, the files."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from mlgate.gate.report import Partial, reproduce_command, run_outputs, started, write
from mlgate.gate.request import GateRequest
from mlgate.git import GitPath
from mlgate.results.schema import RunContextInfo, RunReport


def test_the_reproduce_command_is_the_compare_call_a_shell_can_run():
    request = GateRequest(
        base=GitPath("abc123", "models/m.onnx"),
        head="models/m.onnx",
        data=Path("eval data.npz"),
        thresholds={"size": "+5%"},
        targets=("cpu",),
    )
    words = shlex.split(reproduce_command(request))
    assert words[:2] == ["mlgate", "compare"]
    assert words[3] == "models/m.onnx"
    assert words[4:] == [
        "--data", "eval data.npz", "--threshold", "size=+5%", "--target", "cpu",
    ]  # fmt: skip


def test_a_run_that_failed_early_still_reports_what_it_knows():
    partial = started(GateRequest(base="a.onnx", head="b.onnx", label="models/b.onnx"))
    assert isinstance(partial, Partial)
    results = partial.finish(["model b.onnx: not found"])
    assert results.model == "models/b.onnx"
    assert results.verdict == "error"
    assert results.errors == ["model b.onnx: not found"]
    assert results.targets == []


def test_outputs_are_written_only_where_asked(tmp_path):
    results = started(GateRequest(base="a.onnx", head="b.onnx")).finish([])
    assert write(results, GateRequest(base="a.onnx", head="b.onnx")) == []
    asked = GateRequest(
        base="a.onnx", head="b.onnx", json_out=tmp_path / "r.json", comment_out=tmp_path / "c/c.md"
    )
    assert write(results, asked) == [tmp_path / "r.json", tmp_path / "c/c.md"]
    assert json.loads((tmp_path / "r.json").read_text())["model"] == "b.onnx"
    assert (tmp_path / "c/c.md").read_text().strip()


def test_a_run_over_many_models_lists_its_comment_then_run_json(tmp_path):
    report = RunReport(
        schema_version=1, kind="mlgate-run", created_at="2026-12-01T00:00:00+00:00",
        verdict="neutral", context=RunContextInfo(), config_source="defaults",
    )  # fmt: skip
    summary, written = run_outputs(report, tmp_path / "run.json", tmp_path / "comment.md")
    assert written == [tmp_path / "comment.md", tmp_path / "run.json"]
    assert (tmp_path / "comment.md").read_text().strip()
    assert summary.strip()
    assert run_outputs(report, tmp_path / "run.json", None)[1] == [tmp_path / "run.json"]
