"""The command line's progress display: a live spinner on a terminal, else one line per step
on stderr (a CI log). Part of the front end: the only other place that writes to stderr."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager

from mlgate.progress import LogProgress, NoProgress, Progress, Tracker, log_line


class _TerminalProgress:
    """A transient spinner on stderr (a terminal): the open steps, then a dim line with
    the elapsed time and what is left when each ends; notes with --verbose."""

    def __init__(self, verbose: bool = False) -> None:
        from rich.console import Console

        self._console = Console(stderr=True)
        self._tracker = Tracker()
        self._verbose = verbose

    @contextlib.contextmanager
    def _step(self, text: str, expect: float, then: float) -> Iterator[None]:
        from rich.markup import escape

        self._tracker.start(text, expect, then)
        try:
            with self._console.status(escape(log_line(self._tracker.path()))):
                yield
        finally:
            done = self._tracker.done_line(*self._tracker.finish())
            self._console.print(f"[dim]✓ {escape(log_line(done))}[/dim]")

    def step(
        self, text: str, expect_seconds: float = 0.0, then_seconds: float = 0.0
    ) -> AbstractContextManager[object]:
        return self._step(text, expect_seconds, then_seconds)

    def note(self, text: str) -> None:
        if self._verbose:
            from rich.markup import escape

            self._console.print(f"[dim]  note: {escape(log_line(text))}[/dim]")


def stderr_line(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def make_progress(args: argparse.Namespace, env: Mapping[str, str]) -> Progress:
    """Nothing with --quiet; the live display on a terminal; else one line per step on
    stderr (a CI log), grouped per model on GitHub Actions. `MLGATE_LOG_LEVEL` (quiet,
    normal, verbose) sets the default; --quiet and --verbose win over it."""
    level = env.get("MLGATE_LOG_LEVEL", "normal").strip().lower()  # the default, for CI
    verbose = bool(getattr(args, "verbose", False)) or level == "verbose"
    if getattr(args, "quiet", False) or (level == "quiet" and not verbose):
        return NoProgress()
    if sys.stderr.isatty():
        return _TerminalProgress(verbose)
    return LogProgress(stderr_line, github=env.get("GITHUB_ACTIONS") == "true", verbose=verbose)
