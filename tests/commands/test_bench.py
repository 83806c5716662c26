"""`mlgate bench`: one matrix job, `mlgate check`'s flags and one required --target."""

from __future__ import annotations

import json

from mlgate.cli import build_parser, main
from tests.commands.matrix_repo import make_repo
from tests.commands.one_line import one_line_error


def test_target_is_required(capsys):
    assert "--target" in one_line_error(["bench", "--base", "main"], capsys)


def test_it_takes_checks_flags_and_one_target():
    args = build_parser().parse_args(
        ["bench", "--base", "main", "--target", "cpu-a", "--no-memory"]
    )
    assert (args.command, args.target, args.base) == ("bench", "cpu-a", "main")


def test_outside_a_git_repository_it_is_one_line(capsys):
    assert "not inside a Git repository" in one_line_error(
        ["bench", "--base", "main", "--target", "cpu"], capsys
    )


def test_an_unconfigured_target_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(make_repo(tmp_path, allow_missing=False))
    err = one_line_error(["bench", "--base", "main", "--target", "tpu"], capsys)
    assert "tpu" in err


def test_nothing_changed_is_a_pass_under_out_target(tmp_path, capsys, monkeypatch):
    repo = make_repo(tmp_path, allow_missing=False)
    monkeypatch.chdir(repo)
    code = main(["bench", "--base", "HEAD", "--target", "cpu-a", "--out", "results"])
    capsys.readouterr()
    assert code == 0
    run = json.loads((repo / "results" / "cpu-a" / "run.json").read_text())
    assert run["results"] == []
