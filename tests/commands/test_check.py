"""`mlgate check`: every changed model between two revisions, each configured target or the
ones named with --target."""

from __future__ import annotations

import json
import shutil

from mlgate.cli import build_parser, main
from tests.commands.matrix_repo import make_repo
from tests.commands.one_line import one_line_error
from tests.gate.change_repo import commit_change as _commit
from tests.gate.change_repo import pr_repo as _repo
from tests.github.actions_runtime import DEMO


def test_target_is_repeatable_and_defaults_to_every_configured_one():
    parser = build_parser()
    assert parser.parse_args(["check", "--base", "main"]).targets == []
    args = parser.parse_args(["check", "--base", "main", "--target", "a", "--target", "b"])
    assert args.targets == ["a", "b"]


def test_outside_a_git_repository_it_is_one_line(capsys):
    assert "not inside a Git repository" in one_line_error(["check", "--base", "main"], capsys)


def test_nothing_changed_passes_and_writes_an_empty_run(tmp_path, capsys, monkeypatch):
    repo = make_repo(tmp_path, allow_missing=False)
    monkeypatch.chdir(repo)
    assert main(["check", "--base", "HEAD", "--out", "out"]) == 0
    capsys.readouterr()
    run = json.loads((repo / "out" / "run.json").read_text())
    assert run["kind"] == "mlgate-run"
    assert run["results"] == []


def test_cli_check_gates_a_regressed_model_and_writes_the_comment(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path)
    shutil.copy(DEMO / "head.onnx", repo / "models" / "a.onnx")
    _commit(repo)
    monkeypatch.chdir(repo)
    code = main(
        [
            "check",
            "--base",
            "main",
            "--models",
            "models/a.onnx",
            "--budget-seconds",
            "1",
            "--no-memory",
            "--threshold",
            "latency.p50=+10%",
            "--comment",
            str(tmp_path / "comment.md"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL" in out.splitlines()[0]
    comment = (tmp_path / "comment.md").read_text()
    assert "regression in `models/a.onnx`" in comment
    assert (repo / "mlgate-results" / "models__a.json").is_file()


def test_cli_check_with_an_unknown_base_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path)
    monkeypatch.chdir(repo)
    assert main(["check", "--base", "no-such-branch"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "'no-such-branch' is not in this checkout" in err
