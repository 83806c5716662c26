"""Escaping for pull-request text in Markdown: no construct takes effect, code spans cannot
be closed early, links are ours only, and a cut body closes what it left open."""

from __future__ import annotations

from markupsafe import Markup

from mlgate.render.markdown import (
    code_span,
    escape_markdown,
    finalize,
    safe_url,
    truncate_markdown,
)


def test_markdown_escaping_neutralises_every_construct():
    text = escape_markdown("**bold** @admin <img src=x> [a](https://evil.example) #12\n# h")
    assert "**" not in text.replace("\\*", "")
    assert "<img" not in text
    assert "@admin" not in text
    assert "](https://" not in text
    assert "#12" not in text
    assert "\n" not in text
    span = code_span("a`b\n@admin https://evil.example")
    assert span.count("`") == 2
    assert "@admin" not in span
    assert "https://evil" not in span


def test_truncation_cuts_at_a_line_boundary_and_closes_what_it_left_open():
    line = "`" + "<img src=x> **bold** " * 3 + "`\n"
    body = "<details><summary>s</summary>\n\n```mermaid\n" + line * 200 + "```\n</details>\n"
    note = "\n… truncated\n"
    for limit in (60, 333, 1000, 2500):
        cut = truncate_markdown(body, limit, note)
        assert len(cut) <= limit
        assert cut.endswith(note)
        kept = cut.removesuffix(note)
        assert all(line_ == "" or line_ + "\n" in body for line_ in kept.split("\n"))
        assert kept.count("```") % 2 == 0
        assert kept.count("<details>") == kept.count("</details>")


def test_truncation_without_any_line_break_keeps_only_the_note():
    assert truncate_markdown("`" + "x" * 100, 50, "\n(cut)\n") == "\n(cut)\n"
    assert truncate_markdown("short", 50, "\n(cut)\n") == "short"
    assert truncate_markdown("x\n" * 100, 3, "\n(cut)\n") == "\n(c"


def test_finalize_escapes_everything_not_marked_safe():
    assert finalize(None) == ""
    safe = Markup("**ours**")
    assert finalize(safe) is safe
    assert finalize("*theirs*") == "\\*theirs\\*"
    assert finalize(3) == "3"


def test_only_plain_http_links_are_kept():
    assert (
        safe_url("https://github.com/o/r/actions/runs/1") == "https://github.com/o/r/actions/runs/1"
    )
    for bad in ("javascript:alert(1)", "https://x/a) [b](https://evil", "https://x/ y", "ftp://x"):
        assert safe_url(bad) == ""
