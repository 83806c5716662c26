"""What a comparison of a model with itself must show, on any runner."""

from __future__ import annotations

from typing import Any


def assert_no_regression_found(doc: dict[str, Any]) -> None:
    """Never a failure. Everything deterministic passes; latency may be undecided on a noisy
    runner, and then says what it would have needed (never a pass it did not measure)."""
    assert doc["verdict"] in ("pass", "inconclusive"), doc["verdict"]
    for target in doc["targets"]:
        for metric in target["metrics"]:
            assert metric["verdict"] != "fail", metric
            if metric["verdict"] == "inconclusive":
                assert metric["name"].startswith("latency."), metric
                note = "; ".join(metric["notes"])
                assert "not decided" in note or "needs about" in note, metric
