"""The isolation forkserver's pieces: its wire protocol, status pipe, preloading and the
limits a child sets on itself. (The whole lifecycle is in test_isolation.py.)"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap

from mlgate import isolation_server
from mlgate.isolation_server import (
    _preload,
    _receive_request,
    read_status,
    send_request,
    write_status,
)


def test_status_values_round_trip_and_end_of_file_is_none():
    r, w = os.pipe()
    try:
        write_status(w, 4242)
        write_status(w, -9)
        os.close(w)
        assert read_status(r) == 4242
        assert read_status(r) == -9
        assert read_status(r) is None
    finally:
        os.close(r)


def test_writing_a_status_to_a_closed_pipe_is_ignored():
    r, w = os.pipe()
    os.close(r)
    write_status(w, 1)  # EPIPE: the gate is gone, nothing to tell
    os.close(w)


def test_a_large_request_arrives_whole_with_its_descriptors():
    ours, theirs = socket.socketpair()
    r, w = os.pipe()
    request = (["/a/path"] * 20_000, ["mlgate.errors"])  # well over one 64 KiB read
    try:
        sender = os.fork()
        if sender == 0:  # the child writes and leaves
            try:
                send_request(ours, request, [r, w])
            finally:
                os._exit(0)
        received, fds = _receive_request(theirs)
        os.waitpid(sender, 0)
        assert received == request
        assert len(fds) == 2
        os.write(fds[1], b"x")  # the passed write end is the same pipe
        assert os.read(r, 1) == b"x"
        for fd in fds:
            os.close(fd)
    finally:
        for fd in (r, w):
            os.close(fd)
        ours.close()
        theirs.close()


def test_a_closed_or_cut_off_control_socket_is_no_request():
    ours, theirs = socket.socketpair()
    ours.close()
    assert _receive_request(theirs) is None
    theirs.close()

    ours, theirs = socket.socketpair()
    ours.sendall(isolation_server._HEADER.pack(1000) + b"only part of it")
    ours.close()
    assert _receive_request(theirs) is None
    theirs.close()


def test_preload_sets_the_path_and_skips_modules_that_fail(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    sys.modules.pop("json.tool", None)
    _preload([*sys.path, "/nowhere"], ["json.tool", "no_such_module_for_mlgate"])
    assert sys.path[-1] == "/nowhere"
    assert "json.tool" in sys.modules
    assert "no_such_module_for_mlgate" not in sys.modules


CHILD = textwrap.dedent(
    """
    import json, os, resource, signal, sys
    from mlgate.isolation_server import _lower, die_with_parent, self_limits

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    _lower(resource.RLIMIT_CORE, 100, 200)  # a finite hard limit is never raised
    self_limits(10.0, 64, 16)
    timer = signal.getitimer(signal.ITIMER_REAL)[0]
    print(json.dumps({
        "core": resource.getrlimit(resource.RLIMIT_CORE),
        "address_space": resource.getrlimit(resource.RLIMIT_AS),
        "cpu": resource.getrlimit(resource.RLIMIT_CPU),
        "timer": timer,
        "cores": len(os.sched_getaffinity(0)),
    }), flush=True)
    die_with_parent(os.getppid())  # its parent is alive: it carries on
    die_with_parent(1 if os.getppid() != 1 else 2)  # a parent already gone: it ends, code 1
    print("still here")
    """
)


def test_a_child_limits_itself_and_leaves_when_its_parent_is_gone():
    done = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1, done.stderr
    assert "still here" not in done.stdout
    limits = json.loads(done.stdout)
    assert limits["core"] == [0, 0]
    assert limits["address_space"] == [80 * 1024 * 1024] * 2  # 64 MB + 16 MB headroom
    grace = 2.0 + 0.05 * 10.0
    cpu = int((10.0 + grace) * limits["cores"]) + 5
    assert limits["cpu"] == [cpu, cpu + 5]
    assert 0 < limits["timer"] <= 10.0 + grace


def test_no_memory_limit_leaves_the_address_space_alone():
    code = (
        "import resource; from mlgate.isolation_server import self_limits; "
        "before = resource.getrlimit(resource.RLIMIT_AS); "
        "self_limits(5.0, 0, 16); "
        "print(resource.getrlimit(resource.RLIMIT_AS) == before)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "True"
