"""Golden files for the rendered comment and terminal summary (UPDATE_GOLDEN=1 rewrites)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from mlgate.render.environment import render_comment, render_summary
from mlgate.render.markdown import escape_markdown
from tests.render.sample import error_results, sample_results

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {name}: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "results"),
    [
        ("comment-fail.md", sample_results(fail=True)),
        ("comment-pass.md", sample_results(fail=False)),
        ("comment-error.md", error_results()),
    ],
)
def test_comment_golden(name, results):
    check_golden(name, render_comment(results))


def test_summary_golden():
    check_golden("summary-fail.txt", render_summary(sample_results(fail=True)))


def test_fail_headline_names_target_metric_interval_and_threshold():
    lines = render_comment(sample_results(fail=True)).splitlines()
    assert lines[0] == "<!-- mlgate:comment v1 -->"
    assert lines[1].startswith("## ❌ ml-efficiency-gate: regression in `models/classifier.onnx`")
    headline = lines[3]
    assert headline.startswith("**cpu-x86** fails on latency p50 (+11.8%, 95% CI")
    assert "threshold +5%" in headline
    assert "accuracy" not in headline  # passing metrics are not named as failures


def test_pass_comment_folds_the_table():
    body = render_comment(sample_results(fail=False))
    assert "passes" in body.splitlines()[1]
    assert "not decided" not in body
    assert "<details><summary>All metrics</summary>" in body
    assert "rerun locally: `mlgate compare main:models/classifier.onnx" in body


def test_an_undecided_run_is_not_a_pass_and_its_first_line_says_what_was_not_decided():
    body = render_comment(sample_results(fail=False, undecided=True))
    first = body.splitlines()[1]
    assert first.startswith("## ⚠️ ml-efficiency-gate: `models/classifier.onnx` not decided:")
    assert "latency p90" in first
    assert "passes" not in body
    assert "latency p90 not decided (needs about 40 s more, or a smaller input)" in body
    # the gated rows are shown; the rows that decide nothing fold away
    assert "<details><summary>Shown, not gated" in body


def test_failing_headline_names_failing_and_undecided_metrics_on_its_first_line():
    first = render_comment(sample_results(fail=True)).splitlines()[1]
    assert "latency p50 +11.8%" in first
    assert "not decided: latency p90" in first


HOSTILE = "models/@octocat <img src=x onerror=alert(1)> [click](https://evil.example) #1 `x`|y.onnx"


def test_hostile_model_name_is_neutralised():
    import re

    body = render_comment(sample_results(model=HOSTILE))
    body = re.sub(r"```mermaid\n.*?\n```", "", body, flags=re.DOTALL)  # our chart, tested apart
    spans = re.findall(r"`[^`]*`", body)
    assert spans
    assert all("\n" not in span for span in spans)
    outside = re.sub(r"`[^`]*`", "", body)  # HTML and links do not form inside code spans
    assert "<img" not in outside
    assert "@octocat" not in body  # a zero-width space breaks the mention, even in code
    assert "](https://" not in outside
    assert "https://evil" not in outside
    assert "#1 " not in outside
    columns = None  # every row of a table has as many cells as its header
    for line in body.splitlines():
        if not line.startswith("|"):
            columns = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        columns = columns or cells
        assert cells == columns, line


def test_escape_markdown_unit():
    assert escape_markdown("a*b_c") == "a\\*b\\_c"
    assert escape_markdown("x\ny") == "x y"
    assert escape_markdown("<b>&") == "&lt;b&gt;&amp;"


def test_oversized_comment_is_collapsed_then_truncated():
    results = sample_results(fail=False)
    many = [dataclasses.replace(results.targets[0], name=f"t{i}") for i in range(400)]
    big = dataclasses.replace(results, targets=many)
    body = render_comment(big, limit=20_000)
    assert len(body) <= 20_000
    assert "truncated to fit" in body
    assert body.startswith("<!-- mlgate:comment v1 -->")
