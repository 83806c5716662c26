"""How often the optimizer's final A/B calls a model faster or slower than itself.
Outside the test suite (minutes per model).

    .venv/bin/python -m benchmarks.optimizer_aa MODEL[:EVAL.npz] [--runs 10]

Each run is the search's final A/B (`mlgate.optimize.ab.ab_test`, sized by the model's
measured cost as the search sizes it) of the model against a byte-identical copy. A
decided run whose speedup interval leaves out 1 is a false call: with a 95% interval,
about 1 run in 20 is expected to be one.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.optimizer_sweep import _job
from mlgate.bench.session import open_session
from mlgate.optimize.ab import DECIDING_SEGMENTS, RunCost, ab_test
from mlgate.optimize.search_job import SearchSettings
from mlgate.optimize.search_run import eval_feeds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="MODEL[:EVAL.npz]")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    job = _job(args.model)
    batches, _ = eval_feeds(open_session(job.path, job.target, job.display), job)
    feeds = batches[0].feeds
    cost = RunCost.measure(job.path, job.target, job.display, feeds)
    seconds = max(SearchSettings().final_seconds, cost.seconds_for(DECIDING_SEGMENTS, 2))
    print(
        f"{job.display}: open {cost.open_seconds:.2f} s, run {cost.run_seconds * 1e3:.1f} ms; "
        f"{seconds:.0f} s per A/B"
    )
    false_calls = undecided = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.onnx"
        shutil.copy(job.path, copy)
        for index in range(args.runs):
            found = ab_test(job.path, copy, job.target, job.display, feeds, seconds, 2, 0.95, cost)
            low, high = found.speedup_interval
            decided = found.segments >= DECIDING_SEGMENTS
            wrong = decided and (low > 1.0 or high < 1.0)
            undecided += not decided
            false_calls += wrong
            mark = "FALSE CALL" if wrong else "" if decided else "undecided"
            print(
                f"  {index:2d} {found.speedup:.3f}x ({low:.3f}-{high:.3f}) "
                f"{found.segments} session pairs, {found.pairs} pairs {mark}",
                flush=True,
            )
    print(
        f"{job.display}: {false_calls}/{args.runs} false calls, {undecided} undecided, "
        f"{time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
