"""Exceptions become one line on stderr and an exit code; a bug leaves a crash log."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from mlgate.error_handler import (
    EXIT_BAD_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    Exit,
    handle_errors,
)
from mlgate.errors import ConfigError


def _run(exc: BaseException) -> tuple[int, str]:
    err = io.StringIO()
    with pytest.raises(Exit) as caught, handle_errors(err):
        raise exc
    return caught.value.code, err.getvalue()


def test_a_user_error_is_one_neutralised_line_and_exit_2():
    code, text = _run(ConfigError("bad\n##[group]pwned\n  threshold"))
    assert code == EXIT_BAD_INPUT
    assert text.count("\n") == 1
    assert text.startswith("mlgate: error: bad ")
    assert text.endswith(" threshold\n")
    assert "##[" not in text


def test_an_empty_message_still_says_something():
    assert _run(ConfigError("  "))[1] == "mlgate: error: (no message)\n"


def test_ctrl_c_is_exit_130():
    assert _run(KeyboardInterrupt()) == (EXIT_INTERRUPTED, "mlgate: interrupted\n")


def test_a_bug_is_exit_3_with_the_traceback_in_a_log(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    exc = ValueError("boom")
    exc.child_traceback = "Traceback (child)\n  in child_main\n"  # type: ignore[attr-defined]
    code, text = _run(exc)
    assert code == EXIT_INTERNAL
    match = re.fullmatch(
        r"mlgate: internal error: ValueError: boom \(this is a bug; traceback in (\S+)\)\n", text
    )
    assert match, text
    log = Path(match.group(1))
    assert log.parent == tmp_path
    content = log.read_text()
    assert content.startswith("mlgate ")
    assert "ValueError: boom" in content
    assert "in the child process:\nTraceback (child)" in content


def test_a_bug_without_a_child_traceback_logs_only_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    _, text = _run(RuntimeError("x"))
    log = Path(text.rsplit(" ", 1)[1].rstrip(")\n"))
    assert "in the child process" not in log.read_text()


def test_no_error_no_exit():
    err = io.StringIO()
    with handle_errors(err):
        value = 1
    assert value == 1
    assert err.getvalue() == ""
