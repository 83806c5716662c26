"""Per-inference overhead of our timing loop against a bare `InferenceSession.run` loop, on a
~1 ms model. Run with `make bench`; the comparison is printed at the end."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.models import WIDTH, _session, model_with_latency
from mlgate.bench.latency import LatencySettings, measure_interleaved

PAIRS = 400  # 800 inferences per round


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    path, latency = model_with_latency(tmp_path_factory.mktemp("m"), 1e-3)
    print(f"\nmodel median latency: {latency * 1e3:.3f} ms")
    return _session(path)


@pytest.fixture(scope="module")
def feeds():
    return {"x": np.ones((1, WIDTH), np.float32)}


def test_bare_run_loop(benchmark, session, feeds):
    names = [o.name for o in session.get_outputs()]

    def loop():
        for _ in range(2 * PAIRS):
            session.run(names, feeds)

    benchmark.extra_info["inferences"] = 2 * PAIRS
    benchmark.pedantic(loop, rounds=7, warmup_rounds=1)


def test_mlgate_timing_loop(benchmark, session, feeds):
    names = [o.name for o in session.get_outputs()]

    def runner():
        return session.run(names, feeds)

    settings = LatencySettings(
        budget_seconds=600, min_seconds=0, warmup_seconds=0, max_pairs=PAIRS, segment_seconds=600
    )

    def loop():
        samples = measure_interleaved(lambda _: (runner, runner), settings, lambda *_: False)
        assert samples.base.size == PAIRS

    # 2 x PAIRS timed runs plus the protocol's 2 x 3 warm-up runs
    benchmark.extra_info["inferences"] = 2 * PAIRS + 6
    benchmark.pedantic(loop, rounds=7, warmup_rounds=1)
