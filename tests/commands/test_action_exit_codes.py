"""`fail_on` and the run's outcome -> the Action's exit code and check conclusion."""

from __future__ import annotations

import dataclasses

import pytest

from mlgate.gate.action_io import exit_code_for
from mlgate.gate.check_request import CheckOutcome
from mlgate.github import checks
from mlgate.results.schema import SCHEMA_VERSION, RunContextInfo, RunReport

REPORT = RunReport(
    SCHEMA_VERSION, "mlgate-run", "2026-11-23T00:00:00+00:00", "pass", RunContextInfo(), "defaults"
)


@pytest.mark.parametrize(
    ("code", "fail_on", "expected"),
    [
        (0, "regression", 0),
        (1, "regression", 1),
        (2, "regression", 2),
        (3, "regression", 3),
        (1, "error", 0),
        (2, "error", 2),
        (1, "never", 0),
        (2, "never", 0),
        (3, "never", 0),
    ],
)
def test_exit_code_for(tmp_path, code, fail_on, expected):
    assert exit_code_for(CheckOutcome(code, REPORT, tmp_path), fail_on) == expected


@pytest.mark.parametrize(
    ("verdict", "fail_on", "expected"),
    [
        ("pass", "regression", "success"),
        ("neutral", "regression", "neutral"),
        ("fail", "regression", "failure"),
        ("error", "regression", "failure"),
        ("fail", "error", "neutral"),
        ("error", "error", "failure"),
        ("fail", "never", "neutral"),
    ],
)
def test_check_conclusion(verdict, fail_on, expected):
    report = dataclasses.replace(REPORT, verdict=verdict)
    assert checks.conclusion(report, fail_on) == expected


@pytest.mark.parametrize(
    ("on_inconclusive", "fail_on", "expected"),
    [
        ("neutral", "regression", "neutral"),  # the default: undecided is not a pass
        ("pass", "regression", "success"),
        ("fail", "regression", "failure"),
        ("fail", "error", "neutral"),  # only errors fail the check: undecided is no error
        ("fail", "never", "neutral"),
    ],
)
def test_an_undecided_run_reaches_the_check_as_configured(on_inconclusive, fail_on, expected):
    report = dataclasses.replace(REPORT, verdict="inconclusive", on_inconclusive=on_inconclusive)
    assert checks.conclusion(report, fail_on) == expected
