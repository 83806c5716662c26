"""User templates that loop, recurse, build gigantic strings or raise (point 4): through
`mlgate report --templates`, each is one line and exit 2; in the Action (cases_git), the
comment falls back to the built-in one."""

from __future__ import annotations

from tests.commands.test_bad_input import _report_template
from tests.hostile.harness import Case


def template(text: str, expect: str) -> Case:
    return Case(lambda t: _report_template(t, text), expect)


DOUBLING = "{% set a = 'a' %}" + "{% set a = a ~ a ~ a ~ a %}" * 30 + "{{ a | length }}"
LOOPS = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"


CASES: dict[str, Case] = {
    "template-nested-loops": template(LOOPS, "steps"),
    "template-range-huge": template("{{ range(10**9) | list | length }}", "range() of over"),
    "template-string-repeat": template("{{ 'x' * 10**10 }}", "gigantic"),
    "template-list-repeat": template("{{ ([1] * 1000000000) | length }}", "gigantic"),
    "template-power": template("{{ 10 ** 10000000 }}", "a power with a gigantic result"),
    "template-printf-width": template("{{ '%999999999d' % 1 }}", "format width"),
    "template-printf-star": template("{{ '%*d' % (999999999, 1) }}", "format width"),
    "template-format-filter": template("{{ '%999999999s' | format(1) }}", "format width"),
    "template-str-format": template("{{ '{:>999999999}'.format(1) }}", "format width"),
    "template-ljust": template("{{ 'a'.ljust(999999999) }}", "a width or count"),
    "template-center-filter": template("{{ 'a' | center(999999999) }}", "a width or count"),
    "template-macro-recursion": template(
        "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", "nested over 64 deep"
    ),
    "template-macro-doubling": template(
        "{% macro f(x, n) %}{% if n %}{{ f(x ~ x, n - 1) }}{% endif %}{% endmacro %}"
        "{{ f('a', 60) }}",
        "would exceed",
    ),
    "template-namespace-doubling": template(
        "{% set ns = namespace(x='a') %}{% for i in range(100) %}{% set ns.x = ns.x ~ ns.x %}"
        "{% endfor %}{{ ns.x | length }}",
        "would exceed",
    ),
    "template-set-doubling": template(DOUBLING, "a concatenation would exceed"),
    "template-set-block-gigantic": template(
        "{% set big = 'x' * 200000 %}{% set y %}{% for i in range(100000) %}{{ big }}"
        "{% endfor %}{% endset %}{{ y | length }}",
        "wrote over",
    ),
    "template-replace-product": template(
        "{% set s = 'a' * 100000 %}{{ s | replace('a', s) }}", "gigantic result"
    ),
    "template-join-product": template(
        "{% set s = 'a' * 100000 %}{{ range(10000) | join(s) }}", "gigantic result"
    ),
    "template-list-mutation": template(
        "{% set l = [1] %}{% for i in range(50) %}{{ l.extend(l) }}{% endfor %}", "unsafe"
    ),
    "template-deep-parentheses": template("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", "deep"),
    "template-recursive-loop": template(
        "{% for x in [[1]] recursive %}{{ loop([x, x]) }}{% endfor %}", "nested over 64 deep"
    ),
    "template-zero-division": template("{{ 1 // 0 }}", "ZeroDivisionError"),
    "template-source-huge": template("x" * 300_000, "is over 262,144 characters"),
    "template-lipsum-removed": template("{{ lipsum(100000) }}", "lipsum"),
}
