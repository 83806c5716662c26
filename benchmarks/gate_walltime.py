"""The gate's own wall time, as a user sees it (`mlgate` in a subprocess), and the timing
loop's per-inference overhead against a bare `InferenceSession.run` loop.

    .venv/bin/python -m benchmarks.gate_walltime
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.models import WIDTH, _session, model_with_latency
from mlgate.bench.environment import cpu_model
from mlgate.bench.latency import LatencySettings, measure_interleaved

MLGATE = shutil.which("mlgate") or str(Path(sys.executable).parent / "mlgate")


def wall(*args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([MLGATE, *args], capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"mlgate {' '.join(args)} failed: {done.stderr}")
    return elapsed


def overhead(path: Path, pairs: int = 500, rounds: int = 15) -> tuple[float, float]:
    """(bare seconds per inference, timing-loop seconds per inference), medians of rounds,
    the two loops alternating so that machine drift hits both."""
    session = _session(path)
    names = [o.name for o in session.get_outputs()]
    feeds = {"x": np.ones((1, WIDTH), np.float32)}

    def runner():
        return session.run(names, feeds)

    settings = LatencySettings(budget_seconds=600, min_seconds=0, warmup_seconds=0, max_pairs=pairs)
    bare, ours = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(2 * pairs + 6):
            runner()
        bare.append((time.perf_counter() - start) / (2 * pairs + 6))
        start = time.perf_counter()
        measure_interleaved(runner, runner, settings, lambda b, h: False)
        ours.append((time.perf_counter() - start) / (2 * pairs + 6))
    return float(np.median(bare)), float(np.median(ours))


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="mlgate-bench-"))
    print(f"# {time.strftime('%Y-%m-%d')} · {cpu_model()} · {platform.python_version()}")
    demo = wall("demo", "--out", str(folder / "demo"))
    print(f"mlgate demo (bundled digits MLP, eval set of 540): {demo:.1f} s")
    two_ms, measured = model_with_latency(folder, 2e-3, "two_ms.onnx")
    compare = wall("compare", str(two_ms), str(two_ms), "--json", str(folder / "r.json"))
    print(
        f"mlgate compare, a {measured * 1e3:.2f} ms model vs itself, synthetic inputs: "
        f"{compare:.1f} s"
    )
    one_ms, measured = model_with_latency(folder, 1e-3, "one_ms.onnx")
    bare, ours = overhead(one_ms)
    print(
        f"timing loop on a {measured * 1e3:.2f} ms model: bare {bare * 1e6:.1f} µs/inference, "
        f"mlgate {ours * 1e6:.1f} µs/inference, overhead {(ours / bare - 1) * 100:+.2f}%"
    )


if __name__ == "__main__":
    main()
