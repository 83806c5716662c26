"""The isolation forkserver: run as `python -m mlgate.isolation_server` by the gate with a clean
environment (no secret is ever in its /proc/<pid>/environ, nor in its children's). It imports
the heavy modules once, then forks one child per request, so a child starts in milliseconds.

It dies with the gate (parent-death signal, and end-of-file on its control socket), and each
child dies with it, runs in its own process group and stops itself past its time limit even
if nobody is left to stop it.

Protocol on the control socket (gate -> server): a 4-byte length, a pickled
`(sys_path, preload)` and, as ancillary data, two descriptors: the child's end of a socket to
the gate and the write end of a status pipe. On the status pipe the server writes the child's
pid, then its wait status once it has exited (8 bytes each, native order)."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import importlib
import os
import pickle
import resource
import select
import signal
import socket
import struct
import sys
from typing import Any

_PR_SET_PDEATHSIG = 1
_STATUS = struct.Struct("q")
_HEADER = struct.Struct("I")


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when its parent dies (Linux), and exit now if it already has."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it died before the signal was armed
        os._exit(1)


def self_limits(timeout_seconds: float, memory_mb: int, headroom_mb: int) -> None:
    """The child's own limits, so that a stuck or stopped gate cannot leave it running: a
    wall-clock alarm that kills it (SIGALRM's default action, even inside native code) a
    little after the gate's own deadline, CPU time for every core over that span, and the
    address-space cap."""
    grace = 2.0 + 0.05 * timeout_seconds
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, timeout_seconds + grace)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpu = int((timeout_seconds + grace) * (cores or 1)) + 5
    _lower(resource.RLIMIT_CPU, cpu, cpu + 5)
    if memory_mb > 0:
        limit = (memory_mb + headroom_mb) * 1024 * 1024
        _lower(resource.RLIMIT_AS, limit, limit)


def _lower(which: int, soft: int, hard: int) -> None:
    _, current_hard = resource.getrlimit(which)
    if current_hard != resource.RLIM_INFINITY:
        hard = min(hard, current_hard)
        soft = min(soft, hard)
    resource.setrlimit(which, (soft, hard))


def write_status(fd: int, value: int) -> None:
    with contextlib.suppress(OSError):
        os.write(fd, _STATUS.pack(value))


def read_status(fd: int) -> int | None:
    data = b""
    while len(data) < _STATUS.size:
        chunk = os.read(fd, _STATUS.size - len(data))
        if not chunk:
            return None
        data += chunk
    value: int = _STATUS.unpack(data)[0]
    return value


def send_request(control: socket.socket, request: Any, fds: list[int]) -> None:
    payload = pickle.dumps(request)
    socket.send_fds(control, [_HEADER.pack(len(payload)) + payload], fds)


def _receive_request(control: socket.socket) -> tuple[Any, list[int]] | None:
    data, fds, _, _ = socket.recv_fds(control, 65536, 2)
    if not data:
        return None
    while len(data) < _HEADER.size or len(data) < _HEADER.size + _HEADER.unpack_from(data)[0]:
        more = control.recv(65536)
        if not more:
            return None
        data += more
    return pickle.loads(data[_HEADER.size :]), fds


def _preload(sys_path: list[str], modules: list[str]) -> None:
    sys.path[:] = sys_path
    for module in modules:
        with contextlib.suppress(Exception):  # the child imports it again and reports why
            importlib.import_module(module)


def _fork_child(child_fd: int, status_fd: int, keep: list[int]) -> int:
    server = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            for fd in keep:
                os.close(fd)
            os.setpgid(0, 0)
            die_with_parent(server)
            from mlgate.isolation import child_main  # light: stdlib and mlgate.errors

            child_main(child_fd)
        finally:
            os._exit(0)
    os.close(child_fd)
    write_status(status_fd, pid)
    return pid


def _reap(children: dict[int, int]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in children:
            fd = children.pop(pid)
            write_status(fd, status)
            os.close(fd)


def serve(control: socket.socket) -> None:
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: dict[int, int] = {}
    try:
        while True:
            watched: list[socket.socket | int] = [control, wake_r]
            readable, _, _ = select.select(watched, [], [])
            if wake_r in readable:
                os.read(wake_r, 512)
            _reap(children)
            if control not in readable:
                continue
            request = _receive_request(control)
            if request is None:
                return  # the gate closed its end or died: end with it
            (sys_path, modules), (child_fd, status_fd) = request
            _preload(sys_path, modules)
            keep = [control.fileno(), wake_r, wake_w, status_fd, *children.values()]
            children[_fork_child(child_fd, status_fd, keep)] = status_fd
    finally:
        for pid in children:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


def main() -> None:
    gate, control_fd = int(sys.argv[1]), int(sys.argv[2])
    die_with_parent(gate)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the gate, which decides
    serve(socket.socket(fileno=control_fd))


if __name__ == "__main__":
    main()
