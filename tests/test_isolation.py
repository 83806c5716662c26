"""Crash, hang and memory isolation, with real child processes: a real SIGSEGV, a real hang,
a real allocation past the limit."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlgate import isolation
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


# Lifecycle: the children end with the gate and stop themselves; real processes, real signals.

ROOT = Path(__file__).resolve().parents[1]


def _state(pid: int) -> str:
    """The process's state letter, or "gone"; a zombie ("Z") has ended too."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"


def _parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _ended(pids: list[int], deadline_seconds: float = 30) -> bool:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if all(_state(pid) in ("gone", "Z") for pid in pids):
            return True
        time.sleep(0.05)
    return False


def _start_gate(tmp_path, timeout_seconds):
    """A real gate process running a spinning child; returns it, the child and the forkserver."""
    pid_file = tmp_path / "child.pid"
    environ = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    gate = subprocess.Popen(
        [sys.executable, "-c", "from tests.isolation_parent import main; main()",
         str(pid_file), str(timeout_seconds)],
        env=environ, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        assert gate.poll() is None, "the gate ended before its child started"
        time.sleep(0.05)
    child = int(pid_file.read_text())
    server = _parent_of(child)
    assert _parent_of(server) == gate.pid  # gate -> forkserver -> child
    return gate, child, server


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_children_and_forkserver_end_with_the_gate(tmp_path, signum):
    gate, child, server = _start_gate(tmp_path, timeout_seconds=600)
    try:
        os.kill(gate.pid, signum)
        gate.wait(30)
        assert _ended([child, server]), (_state(child), _state(server))
    finally:
        for pid in (child, server, gate.pid):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        gate.wait(30)
    assert gate.returncode == -signum  # it still dies of the signal it was sent


def test_a_child_stops_itself_when_the_gate_is_stuck(tmp_path):
    gate, child, server = _start_gate(tmp_path, timeout_seconds=2)
    os.kill(gate.pid, signal.SIGSTOP)  # the gate can no longer enforce anything
    try:
        assert _ended([child], deadline_seconds=60), _state(child)
        assert _state(gate.pid) == "T"  # it ended while the gate was still stopped
    finally:
        os.kill(gate.pid, signal.SIGCONT)
        with contextlib.suppress(OSError):
            os.kill(gate.pid, signal.SIGTERM)
        gate.wait(30)
    assert _ended([server])


def waits_for_release(channel, release):
    channel.snapshot(os.getpid())
    deadline = time.monotonic() + 60
    while not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_no_secret_in_the_environment_block_of_child_or_forkserver(monkeypatch, tmp_path):
    monkeypatch.setenv("INPUT_GITHUB_TOKEN", "ghs_secret_in_the_gate")
    monkeypatch.setenv("MLGATE_VISIBLE", "yes")
    isolation.shutdown()  # the next forkserver starts while the secret is in our environment
    release = tmp_path / "release"
    blocks = {}

    def read_blocks(pid):
        blocks["child"] = Path(f"/proc/{pid}/environ").read_bytes()
        blocks["forkserver"] = Path(f"/proc/{_parent_of(pid)}/environ").read_bytes()
        release.touch()

    run_isolated(waits_for_release, (str(release),), LIMITS, "m", RecordingProgress(), read_blocks)
    for name, block in blocks.items():
        variables = dict(v.split(b"=", 1) for v in block.split(b"\0") if b"=" in v)
        assert b"INPUT_GITHUB_TOKEN" not in variables, name
        assert b"ghs_secret" not in block, name
        assert b"PATH" in variables, name  # a real environment, just without the secret


def test_crash_messages_name_the_signal_or_exit_code_and_the_memory_limit():
    by_signal = isolation._crashed("m", -signal.SIGKILL, "", ChildLimits(60, memory_mb=512))
    assert (by_signal.cause, by_signal.how) == ("crash", "SIGKILL")
    assert "m crashed (SIGKILL) (limits.memory_mb is 512)" in str(by_signal)
    unknown_signal = isolation._crashed("m", -200, " during 'x'", LIMITS)
    assert str(unknown_signal).startswith("m crashed (signal 200) during 'x';")
    by_code = isolation._crashed("m", 7, "", LIMITS)
    assert by_code.how == "exit code 7"
    assert "limits.memory_mb" not in str(by_code)


def test_an_isolation_error_survives_pickling():
    import pickle

    error = pickle.loads(pickle.dumps(IsolationError("m timed out", "timeout", "")))
    assert (str(error), error.cause) == ("m timed out", "timeout")


def exits_at_once(channel):
    os._exit(5)


def test_a_child_that_exits_without_an_outcome_is_a_crash_with_its_code():
    with pytest.raises(IsolationError, match=r"crashed \(exit code 5\)") as raised:
        run(exits_at_once)
    assert raised.value.how == "exit code 5"
