"""Acceptance for isolation: the child measuring one model is killed with SIGSEGV from
outside (as if onnxruntime crashed) and the other model is still measured and reported; a
model that runs past the time limit is stopped and reported as timed out."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlgate.cli import main
from tests.github.actions_runtime import DEMO, git
from tests.model_builders import matmul_chain, save

SLOW_LATENCY = (
    "latency: {budget_seconds: 4, min_seconds: 3, warmup_seconds: 0.05, segment_seconds: 0.2, "
    "min_segments: 4}\n"
)


def _parents() -> dict[int, int]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def _grandchildren(root: int) -> list[int]:
    parents = _parents()
    children = {pid for pid, parent in parents.items() if parent == root}
    return sorted(pid for pid, parent in parents.items() if parent in children)


@pytest.mark.slow
def test_a_crashed_model_is_reported_and_the_other_is_still_measured(tmp_path):
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(DEMO / "base.onnx", repo / "models" / "a.onnx")
    save(matmul_chain(layers=2, width=32), repo / "models" / "b.onnx")
    (repo / "mlgate.yml").write_text(SLOW_LATENCY)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr")
    shutil.copy(DEMO / "head.onnx", repo / "models" / "a.onnx")
    save(matmul_chain(layers=3, width=32), repo / "models" / "b.onnx")
    git(repo, "commit", "-qam", "change both")
    command = [sys.executable, "-m", "mlgate", "check", "--base", "main", "--no-memory",
               "--comment", str(tmp_path / "comment.md")]  # fmt: skip
    process = subprocess.Popen(command, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline and process.poll() is None:
        workers = _grandchildren(process.pid)  # forkserver children: the model workers
        if workers:
            time.sleep(1.0)  # let it get into the measurement
            victim = workers[0]
            os.kill(victim, signal.SIGSEGV)
        time.sleep(0.05)
    _, err = process.communicate(timeout=120)
    assert victim is not None, err.decode()
    run = json.loads((repo / "mlgate-results" / "run.json").read_text())
    by_model = {r["model"]: r for r in run["results"]}
    crashed = by_model["models/a.onnx"]
    assert crashed["verdict"] == "error"
    assert "crashed (SIGSEGV)" in crashed["errors"][0]
    measured = by_model["models/b.onnx"]
    assert measured["verdict"] in ("pass", "fail")
    assert measured["targets"][0]["latency"]["pairs"] > 0
    comment = (tmp_path / "comment.md").read_text()
    assert "crashed (SIGSEGV)" in comment
    assert process.returncode == 2
    assert err.decode().count("\n") == 1


def test_a_model_past_the_time_limit_is_stopped_and_reported(tmp_path, capsys):
    base = save(matmul_chain(layers=2, width=32), tmp_path / "base.onnx")
    config = tmp_path / "mlgate.yml"
    config.write_text(SLOW_LATENCY + "limits: {timeout_seconds: 1.5}\n")
    code = main(["compare", str(base), str(base), "--config", str(config), "--no-memory",
                 "--json", "r.json", "--comment", "c.md"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert "timed out after 1.5 s during 'cpu: interleaved A/B latency'" in err
    assert err.count("\n") == 1
    document = json.loads(Path("r.json").read_text())
    assert document["verdict"] == "error"
    assert document["head"]["params"] == 2 * 32 * 32  # what was done before the limit is kept
    assert "timed out" in Path("c.md").read_text()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"


def test_a_terminated_gate_leaves_no_child_or_forkserver(tmp_path):
    base = save(matmul_chain(layers=2, width=32), tmp_path / "base.onnx")
    config = tmp_path / "mlgate.yml"
    config.write_text("latency: {budget_seconds: 600, min_seconds: 500}\n")
    command = [sys.executable, "-m", "mlgate", "compare", str(base), str(base), "--config",
               str(config), "--no-memory", "--json", str(tmp_path / "r.json")]  # fmt: skip
    gate = subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not _grandchildren(gate.pid) and time.monotonic() < deadline:
            assert gate.poll() is None, "the gate ended before measuring"
            time.sleep(0.05)
        servers = [pid for pid, parent in _parents().items() if parent == gate.pid]
        workers = _grandchildren(gate.pid)
        assert servers
        assert workers
        gate.send_signal(signal.SIGTERM)
        gate.wait(30)
        deadline = time.monotonic() + 30
        left = [p for p in servers + workers if _state(p) not in ("gone", "Z")]
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = [p for p in left if _state(p) not in ("gone", "Z")]
        assert left == []
    finally:
        gate.kill()
        gate.wait(30)
    assert gate.returncode == -signal.SIGTERM
