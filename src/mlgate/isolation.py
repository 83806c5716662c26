"""Untrusted work in a child process. A model can crash onnxruntime (segfault, abort), hang
it, or make it allocate without bound; in a child that ends the child, not the gate, and
becomes a clear "crashed" or "timed out" error for that model while the others go on. The
optimizer's builds run their passes the same way.

Children fork from our own forkserver (`isolation_server`), which has imported the heavy
modules already, so a child costs milliseconds rather than an interpreter start. The
forkserver is exec'd with a clean environment, so no secret is in any child's
/proc/<pid>/environ. Children die with the gate (parent-death signals, and the gate's SIGTERM
handler kills them), run in their own process group (their own children die with them), and
enforce their own time, CPU and address-space limits. A child reports over a socket: progress
steps, snapshots of what it has measured so far (kept if it dies), then its outcome."""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import Any

from mlgate import isolation_server
from mlgate.errors import MlgateError
from mlgate.machine_memory import RUNTIME_HEADROOM_MB
from mlgate.progress import Progress

_POLL_SECONDS = 0.5


class IsolationError(MlgateError):
    """The child measuring an untrusted model crashed, hung or ran out of memory. `cause` is
    "crash", "timeout" or "memory"; `how` names the signal or exit code of a crash."""

    def __init__(self, message: str, cause: str = "crash", how: str = "") -> None:
        super().__init__(message)
        self.cause = cause
        self.how = how

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.cause, self.how))


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
    """The child's side of the connection."""

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


Work = Callable[..., None]  # work(channel, *args); a module-level function


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


def child_main(fd: int) -> None:
    """In the forked child: arm its own limits, then run the work and report."""
    connection = Connection(fd)
    limits: ChildLimits = connection.recv()
    isolation_server.self_limits(limits.timeout_seconds, limits.memory_mb, RUNTIME_HEADROOM_MB)
    try:
        cwd, environ, work, args = connection.recv()
        os.chdir(cwd)  # the forkserver kept the directory and environment it started with
        os.environ.clear()
        os.environ.update(environ)
        work(ChildChannel(connection), *args)
        connection.send(("done", None))
    except MlgateError as exc:
        connection.send(("error", exc))
    except MemoryError:
        message = f"out of memory (limit {limits.memory_mb} MB)"
        connection.send(("error", IsolationError(message, "memory")))
    except BaseException as exc:  # a bug: reported with its traceback, exit 3
        summary = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        connection.send(("bug", (summary, traceback.format_exc())))
    finally:
        connection.close()


class _Server:
    """The gate's handle on its forkserver, started on first use."""

    def __init__(self) -> None:
        self.control, theirs = socket.socketpair()
        command = [sys.executable, "-m", isolation_server.__name__, str(os.getpid())]
        environ = child_environment(dict(os.environ))
        package_root = str(Path(isolation_server.__file__).resolve().parents[1])
        environ["PYTHONPATH"] = os.pathsep.join(
            [package_root, *filter(None, [environ.get("PYTHONPATH")])]
        )
        self.process = subprocess.Popen(
            [*command, str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            env=environ,
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.lock = threading.Lock()

    def fork(self, modules: list[str]) -> tuple[Connection, int, int]:
        """A new child: its connection, its pid and the pipe its wait status arrives on."""
        ours, theirs = socket.socketpair()
        status_r, status_w = os.pipe()
        try:
            with self.lock:  # one request at a time on the control socket
                isolation_server.send_request(
                    self.control, (list(sys.path), modules), [theirs.fileno(), status_w]
                )
        finally:
            theirs.close()
            os.close(status_w)
        pid = isolation_server.read_status(status_r)
        if pid is None:
            os.close(status_r)
            ours.close()
            raise IsolationError("the isolation forkserver died; run again", "crash")
        return Connection(ours.detach()), pid, status_r

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.control.close()
        with contextlib.suppress(OSError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)


_LOCK = threading.Lock()
_SERVER: list[_Server] = []
_LIVE: set[int] = set()  # pids of running children
_HOOKED: list[bool] = []  # the SIGTERM handler and exit hook are installed


def _kill(pid: int) -> None:
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):  # before it made its own group
        os.kill(pid, signal.SIGKILL)


def _kill_all() -> None:
    for pid in list(_LIVE):
        _kill(pid)
    for server in _SERVER:
        server.stop()


def _on_sigterm(previous: Any) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        _kill_all()
        if callable(previous):
            previous(signum, frame)
        elif previous != signal.SIG_IGN:  # default: die of SIGTERM, as without this handler
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            os._exit(128 + signum)  # still here: PID 1 in a container ignores it

    return handler


def _server() -> _Server:
    with _LOCK:
        if _SERVER and _SERVER[0].process.poll() is None:
            return _SERVER[0]
        if not _HOOKED and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _on_sigterm(signal.getsignal(signal.SIGTERM)))
            atexit.register(_kill_all)
            _HOOKED.append(True)
        _SERVER[:] = [_Server()]
        return _SERVER[0]


def shutdown() -> None:
    """Stop the forkserver and any child (the next run starts a fresh one)."""
    with _LOCK:
        _kill_all()
        _SERVER.clear()


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"


def _exit_code(status_fd: int, wait: float) -> int | None:
    """The child's exit code (negative: the signal) from the forkserver, None if unknown."""
    ready, _, _ = select.select([status_fd], [], [], wait)
    status = isolation_server.read_status(status_fd) if ready else None
    return None if status is None else os.waitstatus_to_exitcode(status)


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

    @property
    def during(self) -> str:
        return f" during '{self.current}'" if self.current else ""

    def close(self) -> None:
        while self.open:
            self.end()


def _receive(
    connection: Connection,
    limits: ChildLimits,
    what: str,
    steps: _Steps,
    on_snapshot: Callable[[Any], None],
) -> tuple[str, Any] | None:
    """The child's messages until its outcome; None if it died without one."""
    deadline = time.monotonic() + limits.timeout_seconds
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise IsolationError(
                f"{what} timed out after {limits.timeout_seconds:g} s{steps.during} and was "
                "stopped; raise limits.timeout_seconds if the model is just slow",
                "timeout",
            )
        if not connection.poll(min(remaining, _POLL_SECONDS)):
            continue
        try:
            kind, payload = connection.recv()
        except (EOFError, OSError):
            return None
        if kind == "step":
            steps.start(*((payload,) if isinstance(payload, str) else payload))
        elif kind == "note":
            steps.progress.note(payload)
        elif kind == "step-end":
            steps.end()
        elif kind == "snapshot":
            on_snapshot(payload)
        else:
            return kind, payload


def _crashed(what: str, code: int | None, during: str, limits: ChildLimits) -> IsolationError:
    how = _signal_name(code) if code is not None and code < 0 else f"exit code {code}"
    memory = f" (limits.memory_mb is {limits.memory_mb})" if limits.memory_mb else ""
    return IsolationError(
        f"{what} crashed ({how}){during}{memory}; onnxruntime or the model failed hard: "
        "the other models were still measured",
        "crash",
        how,
    )


def run_isolated(
    work: Work,
    args: tuple[Any, ...],
    limits: ChildLimits,
    what: str,
    progress: Progress,
    on_snapshot: Callable[[Any], None],
    preload: tuple[str, ...] = (),
) -> None:
    """Run `work(channel, *args)` in a child. Raises the child's `MlgateError`, a `ChildBug`
    for anything else it raised, or an `IsolationError` when it crashed or timed out.
    `preload`: runtime libraries the forkserver should import once (the work's own module
    always is)."""
    connection, pid, status_fd = _server().fork([work.__module__, *preload])
    _LIVE.add(pid)
    steps = _Steps(progress)
    try:
        try:
            connection.send(limits)
            connection.send((str(Path.cwd()), child_environment(dict(os.environ)), work, args))
        except OSError:
            pass  # it died at once: reported below as a crash
        outcome = _receive(connection, limits, what, steps, on_snapshot)
        during = steps.during
    except BaseException:  # interrupted, or our own timeout: the child must not outlive us
        _kill(pid)
        raise
    finally:
        steps.close()
        connection.close()
        code = _exit_code(status_fd, 10)
        if code is None:
            _kill(pid)
            code = _exit_code(status_fd, 5)
        os.close(status_fd)
        _LIVE.discard(pid)
    if outcome is None:
        raise _crashed(what, code, during, limits)
    kind, payload = outcome
    if kind == "error":
        raise payload
    if kind == "bug":
        raise ChildBug(*payload)
