"""The gate's own wall time, as a user sees it (`mlgate` in a subprocess), and the timing
loop's own cost per inference, isolated with a no-op runner (whole-loop comparisons on a real
model differ by more than that from round to round: see benchmarks/test_timing_overhead.py).

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

from benchmarks.models import model_with_latency
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


def loop_overhead_ns(pairs: int = 20_000, rounds: int = 9) -> float:
    """Our timing loop's own cost per inference: the loop around a no-op runner minus a bare
    Python loop calling the same no-op (what `for ...: session.run(...)` costs beyond run)."""

    def noop() -> None:
        return None

    settings = LatencySettings(
        budget_seconds=600, min_seconds=0, warmup_seconds=0, max_pairs=pairs, segment_seconds=600
    )
    calls = 2 * pairs + 6
    costs = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for _ in range(calls):
            noop()
        bare = time.perf_counter_ns() - start
        start = time.perf_counter_ns()
        measure_interleaved(lambda _: (noop, noop), settings, lambda *_: False)
        ours = time.perf_counter_ns() - start
        costs.append((ours - bare) / calls)
    return float(np.median(costs))


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
    _, measured = model_with_latency(folder, 1e-3, "one_ms.onnx")
    cost = loop_overhead_ns()
    print(
        f"timing loop's own cost: {cost:.0f} ns per inference = "
        f"{cost / (measured * 1e9) * 100:.3f}% of a {measured * 1e3:.2f} ms model"
    )


if __name__ == "__main__":
    main()
