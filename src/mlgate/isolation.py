"""Untrusted work in a child process. A model can crash onnxruntime (segfault, abort), hang
it, or make it allocate without bound; in a child that ends the child, not the gate, and
becomes a clear "crashed" or "timed out" error for that model while the others go on.

Children fork from a forkserver that has already imported the heavy modules, so isolation
costs milliseconds rather than an interpreter start. The child runs in its own process group
(its memory-probe children die with it), under an address-space limit, and reports over a
pipe: progress steps, snapshots of what it has measured so far (kept if it dies), then its
outcome."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from mlgate.errors import MlgateError
from mlgate.progress import Progress

_PRELOAD = ["mlgate.commands.compare"]
# The runtime's own address space (thread stacks, arenas, libraries) on top of the limit.
RUNTIME_HEADROOM_MB = 4096
_POLL_SECONDS = 0.5


class IsolationError(MlgateError):
    """The child measuring an untrusted model crashed, hung or ran out of memory."""


class ChildBug(Exception):
    """An unexpected exception in the child: a bug in mlgate (exit 3), with its traceback."""

    def __init__(self, summary: str, child_traceback: str) -> None:
        super().__init__(summary)
        self.child_traceback = child_traceback


@dataclass(frozen=True)
class ChildLimits:
    timeout_seconds: float
    memory_mb: int = 0  # address-space limit (plus RUNTIME_HEADROOM_MB); 0: none


class ChildChannel:
    """The child's side of the pipe."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @contextlib.contextmanager
    def _step(self, text: str, expect: float, then: float) -> Iterator[None]:
        self._connection.send(("step", (text, expect, then)))
        try:
            yield
        finally:
            self._connection.send(("step-end", None))

    def step(
        self, text: str, expect_seconds: float = 0.0, then_seconds: float = 0.0
    ) -> AbstractContextManager[object]:
        return self._step(text, expect_seconds, then_seconds)

    def note(self, text: str) -> None:
        self._connection.send(("note", text))

    def snapshot(self, value: object) -> None:
        """What was measured so far; the parent keeps the latest one if the child dies."""
        self._connection.send(("snapshot", value))


Work = Callable[..., None]  # work(channel, *args)


_SECRET_WORDS = (
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "CREDENTIAL",
    "API_KEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
)


def child_environment(environ: dict[str, str]) -> dict[str, str]:
    """The environment without secrets: untrusted models never share a process with a token."""
    return {
        name: value
        for name, value in environ.items()
        if not any(word in name.upper() for word in _SECRET_WORDS)
    }


def _limit_memory(memory_mb: int) -> None:
    if memory_mb > 0:
        limit = (memory_mb + RUNTIME_HEADROOM_MB) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child_main(
    connection: Connection,
    cwd: str,
    environ: dict[str, str],
    memory_mb: int,
    work: Work,
    args: tuple[Any, ...],
) -> None:
    os.setpgid(0, 0)
    os.chdir(cwd)  # the forkserver kept the directory and environment it started with
    os.environ.clear()
    os.environ.update(environ)
    channel = ChildChannel(connection)
    try:
        _limit_memory(memory_mb)
        work(channel, *args)
        connection.send(("done", None))
    except MlgateError as exc:
        connection.send(("error", exc))
    except MemoryError:
        connection.send(("error", IsolationError(f"out of memory (limit {memory_mb} MB)")))
    except BaseException as exc:  # a bug: reported with its traceback, exit 3
        summary = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        connection.send(("bug", (summary, traceback.format_exc())))
    finally:
        connection.close()


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _kill(process: multiprocessing.process.BaseProcess) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # type: ignore[arg-type]
    process.join(5)


class _Steps:
    """Mirrors the child's progress steps onto the parent's progress display."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.open: list[tuple[str, AbstractContextManager[object]]] = []

    def start(self, text: str, expect: float = 0.0, then: float = 0.0) -> None:
        if expect or then:
            context = self.progress.step(text, expect_seconds=expect, then_seconds=then)
        else:
            context = self.progress.step(text)
        context.__enter__()
        self.open.append((text, context))

    def end(self) -> None:
        if self.open:
            self.open.pop()[1].__exit__(None, None, None)

    @property
    def current(self) -> str:
        return self.open[-1][0] if self.open else ""

    def close(self) -> None:
        while self.open:
            self.end()


def run_isolated(
    work: Work,
    args: tuple[Any, ...],
    limits: ChildLimits,
    what: str,
    progress: Progress,
    on_snapshot: Callable[[Any], None],
) -> None:
    """Run `work(channel, *args)` in a child. Raises the child's `MlgateError`, a `ChildBug`
    for anything else it raised, or an `IsolationError` when it crashed or timed out."""
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_child_main,
        args=(
            sender,
            str(Path.cwd()),
            child_environment(dict(os.environ)),
            limits.memory_mb,
            work,
            args,
        ),
        daemon=False,
    )
    process.start()
    sender.close()
    steps = _Steps(progress)
    deadline = time.monotonic() + limits.timeout_seconds
    outcome: tuple[str, Any] | None = None
    try:
        while outcome is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                during = f" during '{steps.current}'" if steps.current else ""
                _kill(process)
                raise IsolationError(
                    f"{what} timed out after {limits.timeout_seconds:g} s{during} and was "
                    "stopped; raise limits.timeout_seconds if the model is just slow"
                )
            if not receiver.poll(min(remaining, _POLL_SECONDS)):
                continue
            try:
                kind, payload = receiver.recv()
            except EOFError:
                break
            if kind == "step":
                steps.start(*((payload,) if isinstance(payload, str) else payload))
            elif kind == "note":
                progress.note(payload)
            elif kind == "step-end":
                steps.end()
            elif kind == "snapshot":
                on_snapshot(payload)
            else:
                outcome = (kind, payload)
        during = f" during '{steps.current}'" if steps.current else ""
    except BaseException:  # interrupted, or our own timeout: the child must not outlive us
        _kill(process)
        raise
    finally:
        steps.close()
        receiver.close()
    process.join(10)
    if outcome is None:
        code = process.exitcode
        _kill(process)
        how = _signal_name(code) if code is not None and code < 0 else f"exit code {code}"
        memory = f" (limits.memory_mb is {limits.memory_mb})" if limits.memory_mb else ""
        raise IsolationError(
            f"{what} crashed ({how}){during}{memory}; onnxruntime or the model failed hard: "
            "the other models were still measured"
        )
    kind, payload = outcome
    if kind == "error":
        raise payload
    if kind == "bug":
        raise ChildBug(*payload)
