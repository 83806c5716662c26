"""A run report -> check-run title, annotations and the commit-status fallback."""

from __future__ import annotations

import dataclasses

import pytest

from mlgate.github.checks import (
    MESSAGE_LIMIT,
    TITLE_LIMIT,
    annotations,
    conclusion,
    status_state,
    title,
)
from mlgate.results.schema import SCHEMA_VERSION, Results, RunContextInfo, RunReport
from tests.render.sample import error_results, sample_results


def _report(*results: Results, verdict: str = "pass", errors=()) -> RunReport:
    return RunReport(
        SCHEMA_VERSION,
        "mlgate-run",
        "2026-11-23T00:00:00+00:00",
        verdict,  # type: ignore[arg-type]
        RunContextInfo(),
        "mlgate.yml",
        results=list(results),
        errors=list(errors),
    )


def _passing(model: str) -> Results:
    return sample_results(fail=False, undecided=False, model=model)


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        (_report(verdict="neutral"), "No model to gate"),
        (_report(_passing("a.onnx")), "1 model passes"),
        (_report(_passing("a.onnx"), _passing("b.onnx")), "2 models pass"),
        (
            _report(sample_results(fail=True, model="a.onnx"), _passing("b.onnx"), verdict="fail"),
            "Regression in a.onnx",
        ),
        (
            _report(
                sample_results(fail=False, undecided=True, model="u.onnx"), verdict="inconclusive"
            ),
            "Not decided: u.onnx",
        ),
        (_report(verdict="error", errors=["config broken"]), "Could not finish: config broken"),
        (
            _report(error_results(), verdict="error"),
            "Could not finish: models/classifier.onnx: models/classifier.onnx is a Git LFS "
            "pointer, not the model: fetch the real file",
        ),
        (_report(verdict="error"), "Could not finish: error"),
    ],
)
def test_title(report, expected):
    assert title(report) == expected


def test_a_title_from_the_pull_request_is_one_plain_capped_line():
    model = "@team\nmodels/" + "x" * 400 + ".onnx"
    failing = sample_results(fail=True, model=model)
    text = title(_report(failing, verdict="fail"))
    assert "\n" not in text
    assert len(text) == TITLE_LIMIT
    assert text.endswith("…")
    assert "@team" not in text  # the mention is broken


def test_failures_and_undecided_metrics_are_annotated_on_the_model():
    failing = sample_results(fail=True, model="models/a.onnx")
    found = annotations(_report(failing, verdict="fail"), "mlgate.yml")
    failed = [a for a in found if a.level == "failure"]
    warned = [a for a in found if a.level == "warning"]
    assert failed
    assert all(a.path == "models/a.onnx" for a in found)
    assert all(a.title.endswith(" regressed") for a in failed)
    assert all(a.message.endswith(" on target cpu-x86") for a in failed)
    assert all(a.title.endswith(": inconclusive") for a in warned)
    assert len(failed) == sum(m.verdict == "fail" for m in failing.targets[0].metrics)


def test_errors_go_on_the_model_the_target_and_the_config():
    results = error_results()
    target = dataclasses.replace(
        sample_results(fail=False).targets[0], verdict="error", error="x" * 5000, metrics=[]
    )
    results = dataclasses.replace(results, targets=[target])
    found = annotations(_report(results, verdict="error", errors=["bad config"]), "mlgate.yml")
    assert [(a.path, a.title) for a in found] == [
        ("models/classifier.onnx", "mlgate could not gate this model"),
        ("models/classifier.onnx", "cpu-x86: error"),
        ("mlgate.yml", "mlgate could not run"),
    ]
    assert len(found[1].message) == MESSAGE_LIMIT


def test_run_errors_without_a_config_file_have_nowhere_to_go():
    assert annotations(_report(verdict="error", errors=["bad"]), None) == []


def test_commit_status_states():
    assert [status_state(c) for c in ("success", "failure", "neutral")] == [
        "success",
        "failure",
        "success",
    ]


# The check's conclusion from the run's verdict, `fail_on` and `on_inconclusive`.
_DEFAULTS_REPORT = RunReport(
    SCHEMA_VERSION, "mlgate-run", "2026-11-23T00:00:00+00:00", "pass", RunContextInfo(), "defaults"
)


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
    report = dataclasses.replace(_DEFAULTS_REPORT, verdict=verdict)
    assert conclusion(report, fail_on) == expected


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
    report = dataclasses.replace(
        _DEFAULTS_REPORT, verdict="inconclusive", on_inconclusive=on_inconclusive
    )
    assert conclusion(report, fail_on) == expected
