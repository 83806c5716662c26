"""The release report, from literal results: the sign-off verdict, the checklist, waivers,
changes since the previous release, charts, escaping, the size limit and user templates."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mlgate.compare.waivers import Waiver, apply_waivers
from mlgate.errors import ConfigError
from mlgate.render.environment import render_release_html, render_release_markdown
from mlgate.render.release_view import release_view
from mlgate.results.schema import Results, TargetResult
from tests.render.sample import NOW, collected, sample_results, with_target


def waived(results: Results, reason: str = "accepted for the ARM launch (#412)") -> Results:
    waivers = [Waiver("*", "*", "*", reason, dt.date(2026, 12, 31))]
    target = apply_waivers(results.targets[0], results.model, waivers, dt.date(2026, 11, 23))
    return dataclasses.replace(results, targets=[target], verdict="pass")


def test_a_failing_unwaived_target_says_not_ready_to_sign_off_at_the_top():
    view = release_view(collected(sample_results(fail=True)), "v2.0.0", NOW)
    html = render_release_html(view)
    markdown = render_release_markdown(view)
    assert not view.ready
    body = html.split("<body>", 1)[1]
    assert body.index("Not ready to sign off") < body.index("Sign-off checklist")
    assert markdown.splitlines()[0] == "## ❌ v2.0.0: Not ready to sign off"
    item = view.checklist[0]
    assert (item.status, item.blocking) == ("failed", True)
    assert "latency p50" in item.detail


def test_a_passing_release_is_ready():
    view = release_view(collected(sample_results(fail=False)), "v2.0.0", NOW)
    assert view.ready
    assert view.headline == "Ready to sign off"
    assert "Ready to sign off" in render_release_markdown(view).splitlines()[0]


def test_a_waived_failure_signs_off_with_its_reason_in_the_checklist_and_waivers():
    results = waived(sample_results(fail=True))
    view = release_view(collected(results), "v2.0.0", NOW)
    assert view.ready
    assert "1 with waivers" in view.summary
    item = view.checklist[0]
    assert item.status == "passed with waivers"
    assert not item.blocking
    assert "accepted for the ARM launch (#412)" in item.detail
    assert [(w.metric, w.change) for w in view.waivers] == [("latency p50", "+11.8%")]
    assert "waived until 2026-12-31: accepted for the ARM launch" in view.waivers[0].reason
    markdown = render_release_markdown(view)
    assert "accepted for the ARM launch (\\#412)" not in markdown  # `#4` is not a reference
    assert "ARM launch (#\u200b412)" in markdown


def test_an_error_blocks_and_a_missing_target_allowed_by_the_config_does_not():
    results = sample_results(fail=False)
    broken = with_target(results, verdict="error", error="the CUDA provider is not available")
    view = release_view(collected(broken), "v2", NOW)
    assert not view.ready
    assert view.checklist[0].status == "error"
    missing = with_target(results, verdict="skipped", metrics=[],
                          notes=["no results from target 'gpu' (allow_missing)"])  # fmt: skip
    view = release_view(collected(results, dataclasses.replace(missing, model="b.onnx")), "v2",
                        NOW)  # fmt: skip
    assert view.ready
    assert "1 not measured (allowed by the config)" in view.summary
    assert view.checklist[1].status == "not measured"


def test_the_html_loads_nothing_and_runs_nothing():
    view = release_view(collected(sample_results(fail=True)), "v2", NOW)
    html = render_release_html(view)
    assert "<script" not in html.lower()
    assert "default-src 'none'" in html  # a Content-Security-Policy that blocks any fetch
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?!data:|#)""", html, re.I)
    assert "url(" not in html
    assert "@import" not in html


HOSTILE = "<img src=x onerror=alert(1)>](javascript:x) @team #12 `code`"


def outside_code_spans(markdown: str) -> str:
    """The text outside inline code spans (delimited by backticks no backslash escapes)."""
    parts = re.split(r"(?<!\\)`", markdown)
    return "".join(parts[0::2])


def test_names_and_metadata_from_the_pull_request_are_escaped_everywhere():
    results = sample_results(fail=True, model=f"models/{HOSTILE}.onnx")
    results = with_target(results, name=f"gpu{HOSTILE}", notes=[HOSTILE])
    view = release_view(collected(results), f"v1{HOSTILE}", NOW)
    html = render_release_html(view)
    assert "<img" not in html
    assert "onerror=alert(1)>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    for chart in view.charts:  # the SVG labels are escaped too
        ET.fromstring(str(chart.svg))
        assert "<img" not in str(chart.svg)
    markdown = render_release_markdown(view)
    prose = outside_code_spans(markdown)  # code spans show their text literally
    assert "<img" not in prose
    assert not re.search(r"(?<!\\)\]\(javascript", prose)
    assert "@team" not in prose
    assert "#12" not in prose


def test_the_markdown_fits_a_release_body_however_many_models():
    models = [sample_results(fail=True, model=f"models/m{i:03d}.onnx") for i in range(400)]
    view = release_view(collected(*models), "v9", NOW)
    markdown = render_release_markdown(view)
    assert len(markdown) <= 125_000
    assert markdown.startswith("## ❌ v9: Not ready to sign off")
    small = render_release_markdown(view, limit=4_000)
    assert len(small) <= 4_000
    assert "report truncated" in small


def test_a_users_template_extends_the_shipped_one_and_is_sandboxed():
    view = release_view(collected(sample_results(fail=False)), "v2", NOW)
    custom = {
        "report.html.j2": '{% extends "mlgate/report.html.j2" %}{% block signature %}'
        "<p>Approved by the ML platform board: {{ v.release }}</p>{% endblock %}",
        "report.md.j2": "# {{ v.release }} {{ v.headline }}\n{{ v.models[0].name }}\n",
    }
    html = render_release_html(view, custom)
    assert "Approved by the ML platform board: v2" in html
    assert "Sign-off checklist" in html  # the rest is the shipped report
    assert render_release_markdown(view, custom) == (
        "# v2 Ready to sign off\nmodels/classifier.onnx\n"
    )
    escape = {"report.md.j2": "{{ v.__class__.__init__.__globals__ }}"}
    with pytest.raises(ConfigError, match=r"report template report\.md\.j2: .*unsafe"):
        render_release_markdown(view, escape)
    with pytest.raises(ConfigError, match=r"report template report.html.j2, line 2: "):
        render_release_html(view, {"report.html.j2": "ok\n{% if %}"})
    with pytest.raises(ConfigError, match=r"report template report\.html\.j2: .*nonsense"):
        render_release_html(view, {"report.html.j2": "{{ v.nonsense }}"})


def test_target_without_latency_still_reports(tmp_path: Path):
    results = with_target(sample_results(fail=False), metrics=[], latency=None, energy=None,
                          optimization=None)  # fmt: skip
    view = release_view(collected(results), "v3", NOW)
    assert view.charts == []
    assert "v3" in render_release_html(view)
    assert isinstance(results.targets[0], TargetResult)


def test_golden_release_markdown_with_a_previous_release_and_a_waiver():
    from tests.render.test_comment import check_golden

    now = waived(sample_results(fail=True))
    other = with_target(sample_results(fail=False, model="models/detector.onnx"), name="arm64")
    before = collected(sample_results(fail=False))
    view = release_view(collected(now, other), "v2.1.0", NOW, before, "v2.0.0")
    check_golden("release-report.md", render_release_markdown(view))
