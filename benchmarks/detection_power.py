"""Detection power of the latency gate: false-alarm and detection rates at the default 5%
threshold, measured, on this machine. Outside the test suite (it takes many minutes).

    .venv/bin/python -m benchmarks.detection_power --trials 100 --load --out docs/detection-power.md

A ~1 ms base model (270 identical MatMul+Relu layers cycling 4 weight matrices) is compared
with itself (A/A) and with variants that add layers of the very same work: the cost of one
layer is measured, the layer counts for +2%, +5%, +10% and +20% derived from it, and each
variant's real slowdown verified by a long interleaved measurement. Scenarios run
round-robin so that any drift of the machine spreads over all of them. `--load` keeps one
core busy with a spinning process for the whole run (variants are verified under it too), as a
noisy neighbour on a shared 2-core runner would.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mlgate.bench.environment import cpu_model
from mlgate.bench.latency import LatencySettings, measure_interleaved
from mlgate.bench.session import Target, open_session
from mlgate.commands.compare import compare
from mlgate.compare.stats import clustered_ratios
from mlgate.gate.request import GateRequest
from mlgate.model.reference import write_reference_model

TARGETS = (0.02, 0.05, 0.10, 0.20)
# One core kept busy; the loop ends by itself when this process is gone, however it ended.
BUSY_LOOP = (
    "import os\nparent = os.getppid()\nwhile os.getppid() == parent:\n"
    "    for _ in range(200_000): pass\n"
)
CPU = Target("cpu", ("CPUExecutionProvider",), 1)
WIDTH = 256
DISTINCT_WEIGHTS = 4  # cycled through every layer: extra layers add compute, not memory
BASE_LAYERS = 270  # about 1 ms on one core of the VM this was written on


def chain(path: Path, layers: int) -> Path:
    """Every layer costs the same, and extra layers do not push weights out of the caches: a
    model with k% more layers is k% more of the very same work."""
    return write_reference_model(path, layers, WIDTH, DISTINCT_WEIGHTS)


def measured_slowdown(base: Path, head: Path, seconds: float) -> tuple[float, float, float]:
    """(change, low, high) of the median, from one long segmented interleaved run."""
    feeds = {"x": np.random.default_rng(0).standard_normal((1, WIDTH)).astype(np.float32)}

    def make(_: int):
        return (
            open_session(base, CPU, "base").runner(feeds),
            open_session(head, CPU, "head").runner(feeds),
        )

    settings = LatencySettings(budget_seconds=seconds, min_seconds=seconds, warmup_seconds=0.5)
    samples = measure_interleaved(make, settings, lambda *_: False)
    (estimate,) = clustered_ratios(samples.base, samples.head, samples.segment, (0.5,))
    return estimate.change, estimate.low - 1, estimate.high - 1


def build_variants(folder: Path, log) -> list[tuple[str, Path, str | None]]:
    """A/A plus one variant per target slowdown: the cost of one layer is measured (base vs
    base + 20%), the layer count for each target derived from it, and each variant's real
    slowdown verified by its own long measurement, which is what the table reports."""
    base = chain(folder / "base.onnx", BASE_LAYERS)
    probe_layers = BASE_LAYERS // 5
    probe = chain(folder / "probe.onnx", BASE_LAYERS + probe_layers)
    change, _, _ = measured_slowdown(base, probe, seconds=10.0)
    per_layer = change / probe_layers
    log(f"one extra layer costs {per_layer:+.3%} (from +{probe_layers} layers: {change:+.2%})")
    scenarios: list[tuple[str, Path, str | None]] = [("A/A", base, None)]
    for target in TARGETS:
        extra = max(1, round(target / per_layer))
        path = chain(folder / f"slow_{round(target * 100)}.onnx", BASE_LAYERS + extra)
        change, low, high = measured_slowdown(base, path, seconds=10.0)
        log(f"+{target:.0%} variant (+{extra} layers): {change:+.2%} ({low:+.2%}…{high:+.2%})")
        scenarios.append((f"+{target:.0%} slower", path, f"{change:+.1%} ({low:+.1%}…{high:+.1%})"))
    return scenarios


@dataclass
class Tally:
    name: str
    true_change: str | None  # the measured slowdown, as text with its interval
    verdicts: list[str] = field(default_factory=list)
    changes: list[float] = field(default_factory=list)  # latency.p50 estimate per comparison
    seconds: list[float] = field(default_factory=list)

    def rate(self, verdict: str) -> float:
        return self.verdicts.count(verdict) / max(1, len(self.verdicts))


def run_trials(
    base: Path, scenarios: list[tuple[str, Path, str | None]], trials: int, log
) -> list[Tally]:
    tallies = [Tally(name, change) for name, _, change in scenarios]
    for index in range(trials):
        for tally, (_, head, _) in zip(tallies, scenarios, strict=True):
            start = time.perf_counter()
            outcome = compare(GateRequest(base=str(base), head=str(head), measure_memory=False))
            tally.seconds.append(time.perf_counter() - start)
            p50 = next(m for m in outcome.results.targets[0].metrics if m.name == "latency.p50")
            tally.verdicts.append(p50.verdict)
            tally.changes.append(p50.change or 0.0)
        log(
            f"trial {index + 1}/{trials}: "
            + ", ".join(f"{t.name} {t.verdicts[-1]} {t.changes[-1]:+.1%}" for t in tallies)
        )
    return tallies


def table(tallies: list[Tally], trials: int, load: bool) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {cpu_model()} ({os.cpu_count()} CPUs, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}), "
        f"{trials} comparisons per row, default thresholds (latency.p50 +5%), 1 intra-op thread"
        + (", while another process kept one core busy (a Python busy loop)." if load else "."),
        "",
        "| scenario | slowdown (verified, 95% CI) | gate's estimate: median (5th–95th pct) "
        "| fail | inconclusive | pass/improved | median s per comparison | p90 s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in tallies:
        true = "none (same model)" if t.true_change is None else t.true_change
        p5, p50, p95 = np.percentile(t.changes, [5, 50, 95])
        lines.append(
            f"| {t.name} | {true} | {p50:+.1%} ({p5:+.1%}…{p95:+.1%}) | {t.rate('fail'):.1%} "
            f"| {t.rate('inconclusive'):.1%} | {t.rate('pass') + t.rate('improved'):.1%} "
            f"| {np.median(t.seconds):.1f} | {np.percentile(t.seconds, 90):.1f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--load", action="store_true", help="keep one core busy meanwhile")
    parser.add_argument("--out", type=Path, help="write the Markdown table here")
    args = parser.parse_args()

    def log(text: str) -> None:
        print(text, flush=True)

    folder = Path(tempfile.mkdtemp(prefix="mlgate-power-"))
    # Variants are verified under the same conditions as the trials.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run `finally` on kill, too
    busy = subprocess.Popen([sys.executable, "-c", BUSY_LOOP]) if args.load else None
    try:
        scenarios = build_variants(folder, log)
        tallies = run_trials(scenarios[0][1], scenarios, args.trials, log)
    finally:
        if busy is not None:
            busy.kill()
    text = table(tallies, args.trials, args.load)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)


if __name__ == "__main__":
    main()
