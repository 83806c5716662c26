"""`mlgate check`: every changed model between two revisions, each configured target or the
ones named with --target."""

from __future__ import annotations

import json

from mlgate.cli import build_parser, main
from tests.commands.matrix_repo import make_repo
from tests.commands.one_line import one_line_error


def test_target_is_repeatable_and_defaults_to_every_configured_one():
    parser = build_parser()
    assert parser.parse_args(["check", "--base", "main"]).targets == []
    args = parser.parse_args(["check", "--base", "main", "--target", "a", "--target", "b"])
    assert args.targets == ["a", "b"]


def test_outside_a_git_repository_it_is_one_line(capsys):
    assert "not inside a Git repository" in one_line_error(["check", "--base", "main"], capsys)


def test_an_unknown_base_revision_is_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(make_repo(tmp_path, allow_missing=False))
    assert "no-such-branch" in one_line_error(["check", "--base", "no-such-branch"], capsys)


def test_nothing_changed_passes_and_writes_an_empty_run(tmp_path, capsys, monkeypatch):
    repo = make_repo(tmp_path, allow_missing=False)
    monkeypatch.chdir(repo)
    assert main(["check", "--base", "HEAD", "--out", "out"]) == 0
    capsys.readouterr()
    run = json.loads((repo / "out" / "run.json").read_text())
    assert run["kind"] == "mlgate-run"
    assert run["results"] == []
