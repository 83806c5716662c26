"""The Jinja environments and render entry points: Markdown escapes every value, plain text
keeps a value on its line, a user's report template fails in one line, and each entry point
renders a real sample document (the templates' content: test_comment.py and the others)."""

from __future__ import annotations

import jinja2
import pytest

from mlgate.errors import ConfigError
from mlgate.render.environment import (
    COMMENT_LIMIT,
    markdown_env,
    render_comment,
    render_release_html,
    render_release_markdown,
    render_summary,
    sandboxed_env,
    text_env,
)
from mlgate.render.release_view import release_view
from tests.render.sample import NOW, collected, sample_results


def test_the_markdown_environment_escapes_values_and_refuses_undefined_names():
    template = markdown_env().from_string("{{ name }} {{ none }}")
    out = template.render(name="**bold** @team", none=None)
    assert "**bold**" not in out
    assert out.endswith(" ")  # None renders as nothing
    with pytest.raises(jinja2.UndefinedError):
        markdown_env().from_string("{{ missing }}").render()


def test_the_text_environment_keeps_a_value_on_its_line():
    out = text_env().from_string("value: {{ v }}\n").render(v="ok\n::error::injected")
    assert out.count("\n") == 1
    assert "\\n::error::injected" in out


def test_the_sandbox_refuses_attribute_tricks():
    template = sandboxed_env().from_string("{{ ''.__class__.__mro__ }}")
    with pytest.raises(jinja2.exceptions.SecurityError):
        template.render()


def test_the_comment_and_summary_render_a_real_document():
    results = sample_results(fail=True)
    comment = render_comment(results)
    assert len(comment) <= COMMENT_LIMIT
    assert "latency p50" in comment
    summary = render_summary(results)
    assert summary.endswith("\n")
    assert "cpu-x86" in summary


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{% if %}", "report template report.md.j2, line 1: "),
        ("{{ nothing_here }}", "report template report.md.j2: 'nothing_here' is undefined"),
    ],
)
def test_a_broken_user_report_template_is_one_config_error(template, message):
    view = release_view(collected(sample_results(fail=False)), "v1", NOW)
    with pytest.raises(ConfigError) as raised:
        render_release_markdown(view, {"report.md.j2": template})
    assert str(raised.value).startswith(message)
    assert str(raised.value).endswith("; fix the template")
    assert "\n" not in str(raised.value)


def test_the_release_reports_render_with_the_shipped_templates():
    view = release_view(collected(sample_results(fail=False)), "v1", NOW)
    assert render_release_html(view).lstrip().lower().startswith("<!doctype html>")
    markdown = render_release_markdown(view)
    assert "\n\n\n" not in markdown  # template whitespace: one blank line at most
    assert len(render_release_markdown(view, limit=400)) <= 400
