"""How commands report progress without printing: front ends pass a `Progress`.

Commands open nested steps (a model, a target, a phase) and may say how long a step is
expected to take at most (`expect_seconds`, from the configured latency and search budgets)
and how much expected work follows it at the same level (`then_seconds`: the models still
queued). `Tracker` turns that into one log line per step with its elapsed time and an
estimate of what is left; front ends decide where the lines go (`LogProgress`: stderr when
it is not a terminal, grouped per model on GitHub Actions; the CLI's terminal display).

The estimate is honest rather than clever: the outermost open step's expected time (plus what
is queued after it) minus its elapsed time; a step that ends early returns its unused time to
every step around it, one that overruns takes it from them."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Protocol

from mlgate.render.untrusted import literal, neutralise_commands


class Progress(Protocol):
    def step(
        self, text: str, expect_seconds: float = 0.0, then_seconds: float = 0.0
    ) -> AbstractContextManager[object]:
        """Context for one step that may take more than a moment."""

    def note(self, text: str) -> None:
        """A remark about the step in progress (shown with --verbose)."""


class NoProgress:
    def step(
        self, text: str, expect_seconds: float = 0.0, then_seconds: float = 0.0
    ) -> AbstractContextManager[object]:
        return nullcontext()

    def note(self, text: str) -> None:
        pass


# ---- lines for a log ------------------------------------------------------------------------


def log_line(text: str) -> str:
    """The one place a progress line is made safe for a CI log: it quotes file names from
    the repository, so it stays on one line (controls shown literally) and can never be
    read as a workflow command (`::` at its start or `##[` in it are broken)."""
    return neutralise_commands(literal(text))


def group_command(title: str) -> str:
    """`::group::title` (a workflow command of our own), with the title escaped."""
    escaped = title.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return f"::group::{escaped}"


END_GROUP = "::endgroup::"


def _seconds(value: float) -> str:
    return f"{value:.1f} s" if value < 100 else f"{value:.0f} s"


@dataclass
class _Open:
    text: str
    started: float
    expect: float
    then: float


class Tracker:
    """The open steps, their clock and the estimate; formats lines, prints nothing."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.open: list[_Open] = []
        self.queued = 0.0  # what the last closed outermost step said follows it

    def start(self, text: str, expect: float = 0.0, then: float = 0.0) -> None:
        self.open.append(_Open(text, self.clock(), max(expect, 0.0), max(then, 0.0)))

    def finish(self) -> tuple[str, float]:
        """Close the innermost step: (its path, its elapsed seconds)."""
        path = self.path()
        done = self.open.pop()
        elapsed = self.clock() - done.started
        if not self.open:
            self.queued = done.then
        if done.expect > 0:
            unused = done.expect - elapsed
            for outer in self.open:
                if outer.expect > 0:
                    outer.expect = max(outer.expect - unused, 0.0)
        return path, elapsed

    def path(self) -> str:
        """`[2/3 models] a.onnx · cpu · interleaved A/B latency` (a child's text that repeats
        its parent's as a `parent: ` prefix is shown without it)."""
        parts: list[str] = []
        for step in self.open:
            text = step.text
            if parts and text.startswith(parts[-1] + ": "):
                text = text[len(parts[-1]) + 2 :]
            parts.append(text)
        return " · ".join(parts)

    def left(self) -> float | None:
        """Seconds the outermost open step with an expectation still expects, plus what is
        queued after it; None when nothing has an expectation."""
        now = self.clock()
        for step in self.open:
            if step.expect > 0 or step.then > 0:
                return max(step.expect - (now - step.started), 0.0) + step.then
        return self.queued if not self.open and self.queued > 0 else None

    def done_line(self, path: str, elapsed: float) -> str:
        left = self.left()
        tail = f" (about {_seconds(left)} left)" if left is not None and left >= 1 else ""
        return f"{path} … {_seconds(elapsed)}{tail}"

    def start_line(self) -> str:
        return f"{self.path()} … up to {_seconds(self.open[-1].expect)}"


class LogProgress:
    """Progress as plain log lines (stderr when it is not a terminal): one line per step when
    it ends, a line when a step with a known budget starts, notes with `verbose`, and on
    GitHub Actions each outermost step (a model) folded in a `::group::`."""

    def __init__(
        self,
        write: Callable[[str], None],
        github: bool = False,
        verbose: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._write = write
        self.github = github
        self.verbose = verbose
        self.tracker = Tracker(clock)

    def _line(self, text: str) -> None:
        self._write(log_line(text))

    @contextlib.contextmanager
    def _step(self, text: str, expect: float, then: float) -> Iterator[None]:
        outermost = not self.tracker.open
        self.tracker.start(text, expect, then)
        if outermost and self.github:
            self._write(group_command(log_line(self.tracker.path())))
        if expect > 0:
            self._line(self.tracker.start_line())
        try:
            yield
        finally:
            path, elapsed = self.tracker.finish()
            self._line(self.tracker.done_line(path, elapsed))
            if outermost and self.github:
                self._write(END_GROUP)

    def step(
        self, text: str, expect_seconds: float = 0.0, then_seconds: float = 0.0
    ) -> AbstractContextManager[object]:
        return self._step(text, expect_seconds, then_seconds)

    def note(self, text: str) -> None:
        if self.verbose:
            self._line(f"  note: {text}")
