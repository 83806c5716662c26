"""terminal: the command line's progress display. Nothing with --quiet, one line per step
on stderr in a log (grouped on GitHub Actions), a live display on a terminal."""

from __future__ import annotations

import argparse
import re
import sys

import pytest

from mlgate.cli import build_parser
from mlgate.progress import LogProgress, NoProgress
from mlgate.terminal import make_progress, stderr_line


def _args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["compare", "a.onnx", "b.onnx", *argv])


def test_quiet_prints_no_progress_and_verbose_prints_notes():
    assert isinstance(make_progress(_args("--quiet"), {}), NoProgress)
    logged = make_progress(_args("--verbose"), {"GITHUB_ACTIONS": "true"})
    assert isinstance(logged, LogProgress)  # stderr is not a terminal under pytest
    assert (logged.verbose, logged.github) == (True, True)
    plain = make_progress(_args(), {})
    assert isinstance(plain, LogProgress)
    assert (plain.verbose, plain.github) == (False, False)


def test_the_environment_sets_the_default_level_and_the_flags_win():
    assert isinstance(make_progress(_args(), {"MLGATE_LOG_LEVEL": "quiet"}), NoProgress)
    loud = make_progress(_args("--verbose"), {"MLGATE_LOG_LEVEL": "quiet"})
    assert isinstance(loud, LogProgress)
    assert loud.verbose
    assert make_progress(_args(), {"MLGATE_LOG_LEVEL": "verbose"}).verbose  # type: ignore[attr-defined]


def test_stderr_line_writes_one_line(capsys):
    stderr_line("measuring a.onnx")
    assert capsys.readouterr().err == "measuring a.onnx\n"


def _on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """The (captured) stderr looks like a terminal, so make_progress picks the live display.
    Called in the test body: capsys has replaced sys.stderr by then."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)


def _text(err: str) -> list[str]:
    """The lines the terminal shows, its escape codes (colour, cursor) taken out."""
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", err).splitlines()


def test_a_terminal_gets_the_live_display_and_each_step_ends_with_a_done_line(monkeypatch, capsys):
    _on_a_terminal(monkeypatch)
    progress = make_progress(_args(), {})
    assert not isinstance(progress, (LogProgress, NoProgress))
    with progress.step("a.onnx"), progress.step("cpu · latency", expect_seconds=2.0):
        pass
    done = [line for line in _text(capsys.readouterr().err) if line.startswith("✓")]
    assert len(done) == 2, done
    assert "a.onnx" in done[0]
    assert "cpu · latency" in done[0]
    assert done[1].startswith("✓ a.onnx")


def test_the_terminal_shows_notes_only_when_verbose(monkeypatch, capsys):
    _on_a_terminal(monkeypatch)
    quiet = make_progress(_args(), {})
    with quiet.step("cpu"):
        quiet.note("synthetic inputs")
    assert "note:" not in capsys.readouterr().err
    verbose = make_progress(_args("--verbose"), {})
    with verbose.step("cpu"):
        verbose.note("synthetic inputs")
    assert "  note: synthetic inputs" in _text(capsys.readouterr().err)
    assert not isinstance(verbose, LogProgress)


def test_the_terminal_prints_model_names_as_text_not_markup(monkeypatch, capsys):
    _on_a_terminal(monkeypatch)
    progress = make_progress(_args("--verbose"), {})
    with progress.step("[bold]m.onnx[/bold]"):
        progress.note("[red]x[/red]")
    err = "\n".join(_text(capsys.readouterr().err))
    assert "[bold]m.onnx[/bold]" in err
    assert "[red]x[/red]" in err


def test_a_failing_step_still_ends_its_line_and_the_error_passes_through(monkeypatch, capsys):
    _on_a_terminal(monkeypatch)
    progress = make_progress(_args(), {})
    with pytest.raises(RuntimeError, match="boom"), progress.step("b.onnx"):
        raise RuntimeError("boom")
    assert any(line.startswith("✓ b.onnx") for line in _text(capsys.readouterr().err))


def test_quiet_wins_over_a_terminal(monkeypatch):
    _on_a_terminal(monkeypatch)
    assert isinstance(make_progress(_args("--quiet"), {}), NoProgress)
