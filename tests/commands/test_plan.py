"""`mlgate plan`: the GitHub matrix (targets) for the changed models, on stdout and as step
outputs."""

from __future__ import annotations

import json

from mlgate.cli import main
from tests.commands.matrix_repo import make_repo


def test_plan_prints_the_matrix_and_an_empty_one_when_nothing_changed(
    tmp_path, capsys, monkeypatch
):
    repo = make_repo(tmp_path, allow_missing=False)
    monkeypatch.chdir(repo)
    assert main(["plan", "--base", "main"]) == 0
    matrix = json.loads(capsys.readouterr().out)
    assert [t["target"] for t in matrix["include"]] == ["cpu-a", "cpu-b", "cpu-c"]
    assert matrix["models"] == ["models/digits.onnx"]
    assert matrix["empty"] is False
    output = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    assert main(["plan", "--base", "main", "--github-output"]) == 0
    capsys.readouterr()
    from tests.github.actions_runtime import parse_outputs

    written = parse_outputs(output.read_text())
    assert json.loads(written["matrix"]) == {"include": matrix["include"]}  # no other key
    assert written["empty"] == "false"
    assert json.loads(written["models"]) == ["models/digits.onnx"]
    assert main(["plan", "--base", "HEAD"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["include"] == []
    assert "no model changed" in captured.err


def test_github_output_outside_a_workflow_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(make_repo(tmp_path, allow_missing=False))
    assert main(["plan", "--base", "main", "--github-output"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert "$GITHUB_OUTPUT is not set" in captured.err


def test_a_models_glob_narrows_the_changed_models(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(make_repo(tmp_path, allow_missing=False))
    assert main(["plan", "--base", "main", "--models", "other/*.onnx"]) == 0
    assert json.loads(capsys.readouterr().out)["include"] == []
