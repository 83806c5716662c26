"""`mlgate demo`: its flags (the full demo run is tested through gate/test_release.py)."""

from __future__ import annotations

from pathlib import Path

from mlgate.cli import build_parser
from tests.commands.one_line import one_line_error


def test_defaults_write_to_mlgate_demo_with_the_configured_budget():
    args = build_parser().parse_args(["demo"])
    assert args.out == Path("mlgate-demo")
    assert args.budget_seconds is None


def test_a_budget_must_be_above_zero(capsys):
    assert "--budget-seconds: '0' must be a number above zero" in one_line_error(
        ["demo", "--budget-seconds", "0"], capsys
    )
    assert "'soon' is not a number" in one_line_error(["demo", "--budget-seconds", "soon"], capsys)
