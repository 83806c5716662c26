"""Plain text that quotes the repository or an artifact (file names, model names, notes,
errors) on its way to a log, a terminal, a check-run title or an annotation.

The Actions runner reads every stdout/stderr line as a possible workflow command: a line
that starts (after blanks) with `::` (`::error …`, `::add-mask::…`, `::stop-commands::…`) or
that holds `##[` (the old syntax) is executed, not shown. It splits lines at `\\n` and at a
bare `\\r`. So: a single value never holds a line break (`literal`), and every line written
that is not one of our own commands has its command syntax broken (`neutralise_commands`).
Markdown escaping is `render.markdown`'s job. Pure."""

from __future__ import annotations

import re

ZWSP = "\u200b"  # not whitespace to the runner's TrimStart, invisible to a reader
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_COMMAND_START = re.compile(r"^(\s*):(?=:)")
# C0/C1 controls (escape sequences included) and Unicode line/paragraph separators
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown(match: re.Match[str]) -> str:
    char = match.group(0)
    return _NAMED.get(char) or f"\\u{ord(char):04x}"


def literal(text: object, limit: int | None = None) -> str:
    """One value on one line: a newline is shown as `\\n`, other control characters (and
    terminal escape sequences) as `\\uXXXX`; cut to `limit` characters with `…`."""
    value = _CONTROL.sub(_shown, str(text))
    if limit is not None and len(value) > limit:
        value = value[: max(0, limit - 1)] + "…"
    return value


def plain_line(text: object, limit: int | None = None) -> str:
    """A one-line plain-text field GitHub shows (check-run title, annotation, commit status):
    whitespace collapsed, controls shown literally, @mentions broken, cut to `limit`."""
    value = literal(" ".join(str(text).split())).replace("@", "@" + ZWSP)
    if limit is not None and len(value) > limit:
        value = value[: max(0, limit - 1)] + "…"
    return value


def _neutral_line(line: str) -> str:
    line = _COMMAND_START.sub(lambda m: m.group(1) + ":" + ZWSP, line)
    return line.replace("##[", "#" + ZWSP + "#[")


def neutralise_commands(text: str) -> str:
    """Text for stdout/stderr in which no line is a workflow command: `::` at a line start
    (after blanks) and `##[` anywhere get a zero-width space; a bare `\\r` (a line break to
    the runner) becomes `\\n` so that the check sees every line the runner will see."""
    return "\n".join(_neutral_line(line) for line in _LINE_BREAK.split(text))
