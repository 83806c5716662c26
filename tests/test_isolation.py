"""Crash, hang and memory isolation, with real child processes: a real SIGSEGV, a real hang,
a real allocation past the limit."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from mlgate.errors import ConfigError
from mlgate.isolation import ChildBug, ChildLimits, IsolationError, run_isolated

LIMITS = ChildLimits(timeout_seconds=60)


class RecordingProgress:
    def __init__(self) -> None:
        self.events: list[str] = []

    @contextlib.contextmanager
    def _step(self, text: str):
        self.events.append(f"start {text}")
        yield
        self.events.append(f"end {text}")

    def step(self, text: str):
        return self._step(text)


def reports_and_finishes(channel, value):
    with channel.step("measuring"):
        channel.snapshot({"measured": value})
    channel.snapshot({"measured": value + 1})


def raises_config_error(channel):
    raise ConfigError("limits.memory_mb: must be positive")


def has_a_bug(channel):
    raise RuntimeError("simulated bug")


def segfaults_after_a_snapshot(channel):
    channel.snapshot({"measured": "base"})
    with channel.step("cpu: interleaved A/B latency"):
        os.kill(os.getpid(), signal.SIGSEGV)


def hangs(channel, pid_file):
    sleeper = subprocess.Popen(["sleep", "60"])  # a grandchild, like the memory probes
    Path(pid_file).write_text(str(sleeper.pid))
    with channel.step("sleeping"):
        time.sleep(120)


def allocates(channel, megabytes):
    bytearray(megabytes * 1024 * 1024)


def run(work, *args, limits=LIMITS, progress=None):
    snapshots = []
    run_isolated(
        work, args, limits, "measuring m.onnx", progress or RecordingProgress(), snapshots.append
    )
    return snapshots


def test_steps_and_snapshots_reach_the_parent():
    progress = RecordingProgress()
    snapshots = run(reports_and_finishes, 41, progress=progress)
    assert snapshots == [{"measured": 41}, {"measured": 42}]
    assert progress.events == ["start measuring", "end measuring"]


def test_our_error_type_crosses_unchanged():
    with pytest.raises(ConfigError, match=r"limits\.memory_mb"):
        run(raises_config_error)


def test_a_bug_in_the_child_is_a_bug_with_its_traceback():
    with pytest.raises(ChildBug) as raised:
        run(has_a_bug)
    assert str(raised.value) == "RuntimeError: simulated bug"
    assert "has_a_bug" in raised.value.child_traceback


def test_a_segfault_is_a_crash_and_the_last_snapshot_is_kept():
    snapshots = []
    with pytest.raises(IsolationError) as raised:
        run_isolated(
            segfaults_after_a_snapshot, (), LIMITS, "measuring m.onnx", RecordingProgress(),
            snapshots.append,
        )  # fmt: skip
    message = str(raised.value)
    assert "measuring m.onnx crashed (SIGSEGV) during 'cpu: interleaved A/B latency'" in message
    assert snapshots == [{"measured": "base"}]


def test_a_hang_is_stopped_at_the_time_limit_with_its_children(tmp_path):
    pid_file = tmp_path / "pid"
    with pytest.raises(IsolationError, match=r"timed out after 2 s during 'sleeping'"):
        run(hangs, str(pid_file), limits=ChildLimits(timeout_seconds=2))
    grandchild = int(pid_file.read_text())
    time.sleep(0.2)
    stat = Path(f"/proc/{grandchild}/stat")
    status = stat.read_text().split()[2] if stat.exists() else "gone"
    assert status in ("gone", "Z")  # killed with the child's process group


def test_allocation_past_the_memory_limit_is_out_of_memory():
    limits = ChildLimits(timeout_seconds=60, memory_mb=512)  # + the runtime's 4 GiB headroom
    with pytest.raises(IsolationError, match=r"out of memory \(limit 512 MB\)"):
        run(allocates, 8192, limits=limits)
    run(allocates, 256, limits=limits)  # under it: fine


def reports_its_environment(channel):
    channel.snapshot(dict(os.environ))


def test_the_child_never_sees_a_token(monkeypatch):
    monkeypatch.setenv("INPUT_GITHUB_TOKEN", "ghs_secret")
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("MLGATE_VISIBLE", "yes")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "safe.directory")  # git's config, not a secret
    (environment,) = run(reports_its_environment)
    assert environment["MLGATE_VISIBLE"] == "yes"
    assert environment["GIT_CONFIG_KEY_0"] == "safe.directory"
    assert not {
        "INPUT_GITHUB_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
    } & set(environment)
