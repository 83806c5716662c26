"""How a hostile case runs and what every case must show.

A case builds its input in its own folder and names an invocation: CLI words (run in this
process through `mlgate.cli.main`), an Action environment (`mlgate.action.main`), or words
for a fresh process (`Fresh`, only where a case needs one). Whatever the input, the outcome
is exit 0 or 1 with results, or exit 2 with exactly one line on stderr, never a traceback,
within a generous time and address-space bound, and nothing written outside the folder."""

from __future__ import annotations

import contextlib
import io
import os
import resource
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import mlgate

ROOT = Path(__file__).resolve().parents[2]
SRC = Path(mlgate.__file__).resolve().parents[1]  # the sources under test, not an install
CASE_SECONDS = 90  # per case: generous; a hang fails the case instead of the suite
HEADROOM = 6 << 30  # address space a case may add to this process (children set their own)


@dataclass(frozen=True)
class Action:
    """An Action run: the environment the runner gives the container."""

    env: dict[str, str]


@dataclass(frozen=True)
class Fresh:
    """`python -m mlgate WORDS` in a new process, under an address-space limit."""

    words: list[str]
    memory_bytes: int = 3 << 30
    seconds: int = 120


Invocation = list[str] | Action | Fresh


@dataclass(frozen=True)
class Case:
    build: Callable[[Path], Invocation]
    expect: str  # in the one stderr line (exit 2), else in stdout or stderr
    codes: tuple[int, ...] = (2,)
    after: Callable[[Path], None] | None = None  # more checks on the case's folder


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


class CaseTimeout(Exception):
    pass


@contextlib.contextmanager
def _bounded(seconds: int) -> Iterator[None]:
    """An alarm that interrupts a hung case, and a soft address-space limit (raised back
    afterwards) that turns a runaway allocation into a MemoryError instead of a swap storm."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise CaseTimeout(f"case still running after {seconds} s")

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + HEADROOM
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _address_space() -> int:
    pages = Path("/proc/self/statm").read_text().split()[0]
    return int(pages) * resource.getpagesize()


def run(invocation: Invocation, tmp: Path) -> Outcome:
    if isinstance(invocation, Fresh):
        return _fresh(invocation, tmp)
    out, err = io.StringIO(), io.StringIO()
    tempfile.tempdir = str(tmp)  # crash logs and temporary files stay in the case folder
    try:
        with (
            _bounded(CASE_SECONDS),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            if isinstance(invocation, Action):
                from mlgate.action import main as action_main

                code = action_main(invocation.env)
            else:
                from mlgate.cli import main

                code = main(invocation)
    finally:
        tempfile.tempdir = None
    return Outcome(code, out.getvalue(), err.getvalue())


def _fresh(fresh: Fresh, tmp: Path) -> Outcome:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (fresh.memory_bytes, resource.RLIM_INFINITY))
        os.setsid()

    env = {**os.environ, "PYTHONPATH": str(SRC), "TMPDIR": str(tmp)}
    done = subprocess.run(
        [sys.executable, "-m", "mlgate", *fresh.words],
        capture_output=True,
        text=True,
        cwd=tmp,
        env=env,
        timeout=fresh.seconds,
        preexec_fn=limit,
        check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def snapshot(tmp: Path) -> dict[str, frozenset[str]]:
    """What a case must not change: the folders beside its own, the repository's top level.
    Coverage's per-process data files (`make test` measures child processes too) are the
    test run's own, not something the case wrote."""
    folders = (tmp.parent, ROOT)
    return {
        str(folder): frozenset(
            p.name for p in folder.iterdir() if not p.name.startswith(".coverage")
        )
        for folder in folders
    }


def check(case: Case, outcome: Outcome) -> None:
    lines = outcome.err.splitlines()
    assert "Traceback" not in outcome.out + outcome.err, outcome.err
    assert outcome.code in case.codes, (outcome.code, outcome.out[-2000:], outcome.err)
    if outcome.code == 2:
        assert len(lines) == 1, outcome.err
        assert lines[0].startswith("mlgate: error: "), lines[0]
        assert case.expect in lines[0], lines[0]
    else:
        assert case.expect in outcome.out + outcome.err, (outcome.out[-2000:], outcome.err)
