"""`mlgate report`: the release sign-off report from a release's results folder."""

from __future__ import annotations

from pathlib import Path

from mlgate.cli import build_parser
from tests.commands.one_line import one_line_error


def test_results_and_release_are_required(capsys):
    assert "--results" in one_line_error(["report", "--release", "v1"], capsys)
    assert "--release" in one_line_error(["report", "--results", "r"], capsys)


def test_defaults():
    args = build_parser().parse_args(["report", "--results", "r", "--release", "v1"])
    assert args.out == Path("mlgate-report")
    assert (args.previous, args.previous_release, args.github_release) == (None, "", None)


def test_a_missing_results_folder_is_one_line(capsys):
    assert "results folder not found: nope" in one_line_error(
        ["report", "--results", "nope", "--release", "v1"], capsys
    )
