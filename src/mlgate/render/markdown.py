"""Escaping for text that came from a pull request (paths, names, metadata, error messages):
no Markdown or HTML takes effect, @mentions do not notify, links and issue references do
not form, and a table cell cannot be broken."""

from __future__ import annotations

import re

from markupsafe import Markup

_ZWSP = "\u200b"
_LINKY = re.compile(r"(?i)(https?|ftp|mailto|www)")


def escape_markdown(text: object) -> Markup:
    value = " ".join(str(text).split())  # no newlines: one cell, one line
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = re.sub(r"([\\`*_\[\]|~$])", r"\\\1", value)  # emphasis, code, links, cells
    value = re.sub(r"#(?=\d)", "#" + _ZWSP, value)  # no issue cross-references
    value = value.replace("@", "@" + _ZWSP)  # no mentions
    value = _LINKY.sub(lambda m: m.group(1)[0] + _ZWSP + m.group(1)[1:], value)
    return Markup(value)


def code_span(text: object) -> Markup:
    """Inline code that cannot be closed early by backticks in the text."""
    value = " ".join(str(text).split()).replace("`", "ˋ")
    value = value.replace("|", "\\|").replace("@", "@" + _ZWSP)
    return Markup(f"`{value}`")


def finalize(value: object) -> object:
    """Jinja `finalize` hook: everything not already marked safe gets escaped."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return escape_markdown(value)


def safe_url(text: object) -> Markup:
    """A link target we built (job summary, run page): http(s) only, nothing that ends it."""
    value = str(text)
    if not re.fullmatch(r"https?://[^\s()<>\[\]`\"']+", value):
        return Markup("")
    return Markup(value)
