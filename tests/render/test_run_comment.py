"""The sticky comment of a gate run over several models: golden file, escaping, size limit,
and users' own templates (sandboxed, escaped)."""

from __future__ import annotations

import dataclasses
import re

import pytest

from mlgate.errors import ConfigError
from mlgate.render.environment import render_run_comment, render_run_summary
from mlgate.results.schema import SCHEMA_VERSION, ModelChange, RunContextInfo, RunReport
from tests.render.sample import error_results, sample_results
from tests.render.test_comment import HOSTILE, check_golden

CONTEXT = RunContextInfo(
    repository="octo-org/models",
    event="pull_request",
    pr_number=7,
    base_sha="b" * 40,
    head_sha="e" * 40,
    base_ref="main",
    head_ref="feature",
    run_url="https://github.com/octo-org/models/actions/runs/1",
)


def run(*results, changes=(), notes=(), verdict="fail", errors=()) -> RunReport:
    return RunReport(
        schema_version=SCHEMA_VERSION,
        kind="mlgate-run",
        created_at="2026-11-23T00:00:00+00:00",
        verdict=verdict,
        context=CONTEXT,
        config_source="mlgate.yml at base bbbbbbb",
        changes=list(changes),
        results=list(results),
        notes=list(notes),
        errors=list(errors),
    )


def two_models() -> RunReport:
    failing = sample_results(fail=True)
    passing = dataclasses.replace(sample_results(fail=False), model="models/detector.onnx")
    return run(
        failing,
        passing,
        changes=[
            ModelChange("models/classifier.onnx", "modified"),
            ModelChange("models/detector.onnx", "renamed", base_path="models/old.onnx"),
            ModelChange("models/new.onnx", "added", gated=False, reason="new model"),
        ],
        notes=["mlgate.yml changes in this pull request; the base version was used."],
    )


def test_run_comment_golden():
    check_golden(
        "run-comment-fail.md", render_run_comment(two_models(), details_url=CONTEXT.run_url)
    )


def test_run_summary_golden():
    check_golden("run-summary-fail.txt", render_run_summary(two_models()))


def test_headline_names_each_failing_model_and_the_comment_lists_what_was_not_gated():
    body = render_run_comment(two_models())
    assert body.splitlines()[1].startswith(
        "## ❌ ml-efficiency-gate: regression in `models/classifier.onnx`: latency p50 +11.8%"
    )
    assert "**cpu-x86** · `models/classifier.onnx` fails on latency p50" in body
    assert "(renamed from `models/old.onnx`)" in body
    assert "- `models/new.onnx` (new): new model" in body
    assert "base bbbbbbb (main) · head eeeeeee" in body


def test_neutral_and_error_headlines():
    assert "no model to gate" in render_run_comment(run(verdict="neutral")).splitlines()[1]
    broken = render_run_comment(run(error_results(), verdict="error", errors=["bad config"]))
    assert "could not finish" in broken.splitlines()[1]
    assert "> bad config" in broken


def test_hostile_paths_are_escaped_everywhere():
    hostile = dataclasses.replace(sample_results(fail=True), model=HOSTILE)
    body = render_run_comment(
        run(hostile, changes=[ModelChange(HOSTILE, "added", gated=False, reason=HOSTILE)])
    )
    outside = re.sub(r"`[^`]*`", "", body)
    assert "<img" not in outside
    assert "](https://evil" not in outside
    assert "@octocat" not in body


def test_truncation_points_to_the_job_summary():
    many = [dataclasses.replace(sample_results(fail=True), model=f"m{i}.onnx") for i in range(300)]
    body = render_run_comment(run(*many), limit=30_000, details_url=CONTEXT.run_url)
    assert len(body) <= 30_000
    assert body.endswith(f"[job summary]({CONTEXT.run_url}) and the results artifact.\n")


def test_a_users_template_is_sandboxed_and_still_escaped():
    report = run(dataclasses.replace(sample_results(fail=True), model=HOSTILE))
    text = "{{ v.verdict }} {% for s in v.models %}{{ s.report.model }}{% endfor %}"
    body = render_run_comment(report, template_text=text)
    assert body.startswith("fail models/@\u200boctocat &lt;img")
    with pytest.raises(ConfigError, match="comment template"):
        render_run_comment(report, template_text="{{ v.__class__.__mro__ }}")
    with pytest.raises(ConfigError, match="line 1"):
        render_run_comment(report, template_text="{% for %}")
