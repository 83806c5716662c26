"""The installed console script, as a user runs it: real processes, real stderr."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import model_builders as mb

MLGATE = shutil.which("mlgate") or str(Path(sys.executable).parent / "mlgate")


def mlgate(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([MLGATE, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_version_names_the_libraries_and_execution_providers():
    import onnx
    import onnxruntime

    done = mlgate("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("mlgate 0.")
    assert f"onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__}" in done.stdout
    providers = ", ".join(onnxruntime.get_available_providers())
    assert f"execution providers: {providers}" in done.stdout


def test_corrupt_model_one_line_no_traceback_no_runtime_noise(tmp_path):
    good = mb.save(mb.matmul_chain(layers=1, width=8), tmp_path / "good.onnx")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(good.read_bytes()[:-7])
    done = mlgate("compare", str(good), str(bad))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("mlgate: error: ")
    assert "Traceback" not in done.stderr


def test_runtime_failure_during_inference_is_one_line(tmp_path):
    """onnxruntime logs kernel errors itself; none of that may reach the user's stderr."""
    model = mb.save(mb.transformer_block(vocab=5), tmp_path / "t.onnx")
    import numpy as np

    np.savez(
        tmp_path / "e.npz",
        input_ids=np.full((2, 4), 99, np.int64),
        attention_mask=np.ones((2, 4), np.int64),
    )
    done = mlgate(
        "compare", str(model), str(model), "--data", str(tmp_path / "e.npz"), "--no-memory"
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert "inference failed" in done.stderr


def test_help_lists_commands():
    done = mlgate("--help")
    assert done.returncode == 0
    assert "compare" in done.stdout
    assert "demo" in done.stdout


@pytest.mark.slow
def test_demo_end_to_end(tmp_path, monkeypatch):
    """`mlgate demo` shows a failing gate, succeeds itself, and writes both outputs; its
    comment carries the variant search, run as configured (optimizer on)."""
    monkeypatch.setenv("MLGATE_OPTIMIZE", "1")
    done = mlgate("demo", "--out", str(tmp_path / "demo"), "--budget-seconds", "5")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "FAIL" in done.stdout
    assert "the demo itself succeeded" in done.stdout
    doc = json.loads((tmp_path / "demo" / "results.json").read_text())
    assert doc["verdict"] == "fail"
    failing = {m["name"] for m in doc["targets"][0]["metrics"] if m["verdict"] == "fail"}
    assert {"accuracy", "latency.p50"} <= failing
    comment = (tmp_path / "demo" / "comment.md").read_text()
    assert "fails on accuracy" in comment
    search = doc["targets"][0]["optimization"]
    assert search["seconds"] <= search["budget_seconds"] + 20
    assert "<summary>Faster variants of the head model" in comment
    for variant in search["variants"]:
        assert variant["name"] in comment
    if search["recommended"] is not None:
        best = next(v for v in search["variants"] if v["name"] == search["recommended"])
        assert best["speedup_ci"][0] > 1.0
        assert f"as variant {search['recommended']}" in comment
    else:
        assert "No variant is clearly faster" in comment
