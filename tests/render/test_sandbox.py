"""The budgeted sandbox for users' templates: ordinary Jinja still works, unchanged; what
would run away is stopped inside the render; any failure falls back to the built-in comment."""

from __future__ import annotations

import jinja2
import pytest

from mlgate.errors import ConfigError
from mlgate.render.environment import render_comment_or_builtin, render_run_comment
from mlgate.render.sandbox import BudgetedSandbox, RenderLimits, TemplateBudgetError
from tests.render.test_run_comment import two_models

ORDINARY = """\
{%- macro row(name, value) %}| {{ name }} | {{ value }} |{% endmacro -%}
{% set ns = namespace(total=0) -%}
{% for i in range(3) %}{% set ns.total = ns.total + i %}{{ loop.index }}/{{ loop.length }}
{% endfor %}
{{ row("total", ns.total) }} {{ "%.2f" | format(3.14159) }} {{ "{:>6}".format("x") }}
{{ ["a", "b"] | join(", ") ~ "!" }} {{ "ab" * 3 }} {{ 2 ** 10 }} {{ "x" | center(7) }}
{% for k, v in {"b": 2, "a": 1} | dictsort %}{{ k }}={{ v }} {% endfor %}
{{ range(5) | map("string") | join("") }} {{ "a b c" | wordcount }}
"""


def _render(text: str, limits: RenderLimits | None = None) -> str:
    env = BudgetedSandbox(limits, undefined=jinja2.StrictUndefined)
    env.guard_filters()
    from mlgate.render.sandbox import render_bounded

    return render_bounded(env.from_string(text), 100_000)


def test_ordinary_templates_render_as_jinja_renders_them():
    plain = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    assert _render(ORDINARY) == plain.from_string(ORDINARY).render()


@pytest.mark.parametrize(
    ("text", "limits", "message"),
    [
        ("{% for i in range(50) %}{% endfor %}", RenderLimits(steps=20), "over 20 steps"),
        ("{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", RenderLimits(depth=5), "5 deep"),
        ("{{ 'ab' ~ 'cd' ~ 'ef' }}", RenderLimits(size=5), "a concatenation"),
        ("{% for i in range(9) %}abc{% endfor %}", RenderLimits(output=20), "wrote over 20"),
        ("{{ range(11) | list }}", RenderLimits(width=10), r"range\(\) of over 10"),
        ("hello", RenderLimits(source=3), "over 3 characters"),
    ],
)
def test_each_limit_stops_the_render(text, limits, message):
    with pytest.raises(TemplateBudgetError, match=message):
        _render(text, limits)


def test_the_output_stops_once_past_the_cap():
    env = BudgetedSandbox()
    env.guard_filters()
    from mlgate.render.sandbox import render_bounded

    text = render_bounded(env.from_string("{% for i in range(90000) %}ab{% endfor %}"), 1000)
    assert text == "ab" * 500 + "a"


@pytest.mark.parametrize(
    "template",
    [
        "{{ 1 // 0 }}",
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
        "{{ 'x' * 10**10 }}",
        "{% for %}",
        "{{ nope }}",
    ],
)
def test_any_failure_of_a_users_template_falls_back_to_the_built_in_comment(template):
    report = two_models()
    log: list[str] = []
    with pytest.raises(ConfigError, match="comment template"):
        render_run_comment(report, template_text=template)
    body = render_comment_or_builtin(report, 65_536, "", template, log)
    assert body == render_run_comment(report)
    assert len(log) == 1
    assert log[0].endswith("fix the template; using the built-in comment")
