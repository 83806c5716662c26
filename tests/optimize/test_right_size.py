"""Right-sizing: every thread count timed in turn in one process, cost per million calls, and
the cheapest thread count that meets a latency objective. Real sessions are checked for
structure and facts that cannot flake (the arms' rotation: tests/bench/test_arms.py)."""

from __future__ import annotations

import numpy as np
import pytest

from mlgate.bench.session import Target
from mlgate.optimize.recommend import ort_original
from mlgate.optimize.right_size import (
    Pricing,
    RightSizeJob,
    cheapest,
    right_size,
    slo_status,
    thread_counts,
)
from mlgate.render.optimize_view import cheapest_target, right_sizing_lines
from mlgate.results.schema import ThreadLatency
from tests import model_builders as mb


def test_thread_counts_are_one_to_the_cores_capped():
    assert thread_counts(2, 8) == [1, 2]
    assert thread_counts(16, 4) == [1, 2, 3, 4]
    assert thread_counts(1, 8) == [1]
    assert thread_counts(32, 32) == [1, 2, 4, 8, 16, 32]
    assert thread_counts(8, 0) == [1]


def test_the_objective_is_met_only_when_the_whole_p90_interval_is_under_it():
    assert slo_status((4.0, 4.5), 4.2, 5.0) == "meets"
    assert slo_status((5.5, 6.0), 5.7, 5.0) == "misses"
    assert slo_status((4.5, 5.5), 5.0, 5.0) == "undecided"
    assert slo_status(None, 4.0, 5.0) == "meets"


def _row(threads: int, p50: float, slo: str | None) -> ThreadLatency:
    return ThreadLatency(threads, p50, p50 * 1.2, None, 100, threads * p50 * 1e3, None, slo)  # type: ignore[arg-type]


def test_the_cheapest_meeting_row_wins_and_a_cheaper_undecided_one_is_named():
    rows = [_row(1, 10.0, "undecided"), _row(2, 6.0, "meets"), _row(4, 4.0, "meets")]
    best, note = cheapest(rows)
    assert best is not None
    assert best.threads == 2
    assert "undecided at 1 thread" in note
    assert cheapest([_row(1, 10.0, "misses")]) == (None, "")


def test_price_per_core_hour_else_the_runner_price_over_its_cores():
    assert Pricing.of(0.05, 0.36, 2).per_core_hour == 0.05
    assert Pricing.of(None, 0.36, 2).per_core_hour == pytest.approx(0.18)
    assert Pricing.of(None, None, 2).per_core_hour is None
    assert "core-seconds" in Pricing.of(None, None, 2).source


def _job(tmp_path, slo_ms: float | None, price: float | None = None) -> RightSizeJob:
    model = mb.save(mb.matmul_chain(2, 64), tmp_path / "m.onnx")
    target = Target("cpu", ("CPUExecutionProvider",), 1)
    feeds = {"x": np.ones((2, 64), np.float32)}
    return RightSizeJob(model, ort_original(model, target), "the original model", "m.onnx",
                        feeds, 1.0, 8, Pricing.of(price, None, 2), slo_ms)  # fmt: skip


def test_real_sessions_at_every_thread_count_with_costs_and_a_generous_objective(tmp_path):
    found = right_size(_job(tmp_path, slo_ms=1e6, price=0.1), cores=2)
    assert [row.threads for row in found.rows] == [1, 2]
    assert found.segments >= 3
    for row in found.rows:
        assert row.calls > 0
        assert row.p90_ms >= row.p50_ms > 0
        assert row.core_seconds_per_million == pytest.approx(
            row.threads * row.p50_ms * 1e3, rel=1e-2
        )
        assert row.cost_per_million == pytest.approx(row.core_seconds_per_million / 36000, rel=1e-2)
        assert row.slo == "meets"  # a million milliseconds
    cheapest_row = min(found.rows, key=lambda r: r.core_seconds_per_million)
    assert found.best_threads == cheapest_row.threads
    text = "\n".join(right_sizing_lines(found))
    assert "meeting p90 ≤ 1e+06 ms" in text
    assert "$" in text


def test_an_objective_nothing_can_meet_is_said(tmp_path):
    found = right_size(_job(tmp_path, slo_ms=1e-6), cores=1)
    assert [row.slo for row in found.rows] == ["misses"]
    assert found.best_threads is None
    assert "no thread count meets" in found.note
    assert found.rows[0].cost_per_million is None  # no price: core-seconds only


def test_the_cheapest_configured_target_across_targets(tmp_path):
    a = right_size(_job(tmp_path, slo_ms=1e6, price=1.0), cores=1)
    b = right_size(_job(tmp_path, slo_ms=1e6, price=1000.0), cores=1)
    line = cheapest_target([("big", b), ("small", a)])
    assert line.startswith("Cheapest configured target meeting p90 ≤ 1e+06 ms: small at 1")
    assert cheapest_target([("small", a)]) == ""  # one target: the per-target line says it
