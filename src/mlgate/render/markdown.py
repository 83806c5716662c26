"""Escaping for text that came from a pull request (paths, names, metadata, error messages):
no Markdown or HTML takes effect, @mentions do not notify, links and issue references do
not form, and a table cell cannot be broken."""

from __future__ import annotations

import re

from markupsafe import Markup

_ZWSP = "\u200b"
_LINKY = re.compile(r"(?i)(https?|ftp|mailto|www)")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


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
    value = _LINKY.sub(lambda m: m.group(1)[0] + _ZWSP + m.group(1)[1:], value)  # no link text
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


_FENCE = re.compile(r"^ {0,3}(```|~~~)", re.MULTILINE)
_OPEN_DETAILS = re.compile(r"<details\b", re.IGNORECASE)
_CLOSE_DETAILS = re.compile(r"</details>", re.IGNORECASE)


def _closers(head: str) -> str:
    """What an early end of `head` leaves open: a code fence, `<details>` blocks."""
    fence = "```\n" if len(_FENCE.findall(head)) % 2 else ""
    unclosed = len(_OPEN_DETAILS.findall(head)) - len(_CLOSE_DETAILS.findall(head))
    return fence + "\n</details>\n" * max(0, unclosed)


def truncate_markdown(body: str, limit: int, note: str) -> str:
    """`body` cut to at most `limit` characters, `note` included, at a line boundary: a cut
    inside a line can open a code span or an escape and let the rest of the line (PR text)
    render as Markdown or HTML. Open fences and `<details>` are closed."""
    if len(body) <= limit:
        return body
    cut = limit - len(note)
    while cut > 0:
        head = body[:cut]
        head = head[: head.rfind("\n") + 1]
        closers = _closers(head)
        if len(head) + len(closers) + len(note) <= limit:
            return head + closers + note
        cut = len(head) - 1
    return note[: max(0, limit)]


def fence_line(text: object) -> Markup:
    """One line inside a code fence we opened: no line break, no backtick (nothing can close
    the fence), no control characters; the fence shows the rest as it is."""
    value = _CONTROL.sub("?", str(text)).replace("`", "ˋ")
    return Markup(value)
