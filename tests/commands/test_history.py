"""`mlgate history record`: commit main's results to the history branch."""

from __future__ import annotations

from pathlib import Path

from mlgate.cli import main
from tests.commands.one_line import one_line_error
from tests.gate.runs import main_repo, write_main_run
from tests.github.actions_runtime import git


def test_a_subcommand_is_required(capsys):
    assert "history_command" in one_line_error(["history"], capsys)


def test_results_is_required(capsys):
    assert "--results" in one_line_error(["history", "record"], capsys)


def test_no_run_json_is_one_line(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert "no run.json under" in one_line_error(
        ["history", "record", "--results", str(tmp_path / "empty")], capsys
    )


def test_record_commits_to_the_branch_from_the_flag_or_the_config(tmp_path, capsys, monkeypatch):
    repo = main_repo(tmp_path)
    monkeypatch.chdir(repo)
    write_main_run(tmp_path / "results" / "cpu" / "run.json")
    assert (
        main(["history", "record", "--results", str(tmp_path / "results"), "--branch", "h1"]) == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("recorded 1 result(s) on h1 (")
    assert "push it: git push origin h1" in out
    assert git(repo, "log", "--format=%s", "-1", "h1").startswith("mlgate: results of ")

    Path("mlgate.yml").write_text("history: {branch: from-config}\n")
    assert (
        main(
            ["history", "record", "--results", str(tmp_path / "results"), "--config", "mlgate.yml"]
        )
        == 0
    )
    assert "on from-config (" in capsys.readouterr().out
