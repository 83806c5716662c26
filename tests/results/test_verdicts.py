"""How verdicts combine, on literal records."""

from __future__ import annotations

import pytest

from mlgate.results.schema import MetricResult, TargetResult
from mlgate.results.verdicts import fails_check, overall_verdict, target_verdict


def _metric(verdict: str) -> MetricResult:
    return MetricResult("latency.p50", "s", False, 1.0, 1.1, 0.1, 0.1, "+5%", verdict)  # type: ignore[arg-type]


def _target(verdict: str) -> TargetResult:
    return TargetResult("cpu", ["CPUExecutionProvider"], 1, verdict)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (["pass", "improved"], "pass"),
        (["pass", "inconclusive"], "inconclusive"),
        (["inconclusive", "fail", "waived"], "fail"),
        (["waived"], "pass"),
        ([], "pass"),
    ],
)
def test_a_target_fails_on_any_failure_and_is_never_a_pass_when_undecided(verdicts, expected):
    assert target_verdict([_metric(v) for v in verdicts]) == expected


def test_an_error_outranks_every_target():
    assert overall_verdict([_target("fail")], ["model did not load"]) == "error"
    assert overall_verdict([_target("pass"), _target("error")], []) == "error"
    assert overall_verdict([_target("inconclusive"), _target("fail")], []) == "fail"
    assert overall_verdict([_target("skipped"), _target("inconclusive")], []) == "inconclusive"
    # nothing measured is never a pass
    assert overall_verdict([_target("skipped")], []) == "inconclusive"
    assert overall_verdict([], []) == "inconclusive"
    assert overall_verdict([_target("skipped"), _target("pass")], []) == "pass"


def test_an_undecided_run_fails_the_check_only_when_configured():
    assert fails_check("fail", "neutral")
    assert not fails_check("inconclusive", "neutral")
    assert fails_check("inconclusive", "fail")
    assert not fails_check("pass", "fail")
    assert fails_check("error", "pass")  # an error is never a green check
