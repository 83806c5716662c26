"""The optimizer's A/B is sized by what the model costs, and says how many session pairs its
interval comes from: a verdict from one pair of sessions is no verdict."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from mlgate.bench.session import Target
from mlgate.optimize.ab import DECIDING_SEGMENTS, RunCost, ab_test
from tests import model_builders as mb

CPU = Target("cpu", ("CPUExecutionProvider",), 1)


def test_a_slow_model_gets_the_time_its_segments_need():
    minilm_like = RunCost(open_seconds=0.2, run_seconds=1.1)
    # Per segment: two sessions opened, 3 warm-up runs of each, then 2 ABBA blocks (8 runs).
    per_segment = 2 * 0.2 + 6 * 1.1 + 8 * 1.1
    assert minilm_like.seconds_for(DECIDING_SEGMENTS, 2) == pytest.approx(
        1.2 * DECIDING_SEGMENTS * per_segment
    )
    # Far beyond the 10 s a final A/B takes by default: the default would have timed 2 runs.
    assert minilm_like.seconds_for(DECIDING_SEGMENTS, 2) > 70
    # A fast model stays within the default seconds, so the settings decide there.
    assert RunCost(open_seconds=0.01, run_seconds=1e-4).seconds_for(DECIDING_SEGMENTS, 2) < 1
    # Opening slower than measuring: each segment measures at least as long as it opened.
    assert RunCost(open_seconds=2.0, run_seconds=1e-3).seconds_for(1, 1) == pytest.approx(
        1.2 * (4.0 + 6e-3 + 4.0)
    )


def test_the_cost_of_a_real_model_is_measured(tmp_path: Path):
    model = mb.save(mb.matmul_chain(layers=2, width=32), tmp_path / "m.onnx")
    feeds = {"x": np.ones((4, 32), dtype=np.float32)}
    cost = RunCost.measure(model, CPU, "m.onnx", feeds)
    assert cost.open_seconds > 0
    assert cost.run_seconds > 0


def test_an_ab_that_fits_one_session_pair_says_so(tmp_path: Path):
    model = mb.save(mb.matmul_chain(layers=2, width=32), tmp_path / "m.onnx")
    copy = tmp_path / "copy.onnx"
    shutil.copy(model, copy)
    feeds = {"x": np.ones((4, 32), dtype=np.float32)}
    cost = RunCost.measure(model, CPU, "m.onnx", feeds)
    # 10 ms: the first segment (always one, with at least one ABBA block) ends past the
    # deadline, so the interval comes from one pair of sessions.
    found = ab_test(model, copy, CPU, "m.onnx", feeds, 0.01, 1, 0.95, cost)
    assert found.segments == 1
    assert found.segments < DECIDING_SEGMENTS
    assert found.pairs >= 2
    low, high = found.speedup_interval
    assert low <= found.speedup <= high
    assert found.speedup == pytest.approx(1 / found.ratio)
