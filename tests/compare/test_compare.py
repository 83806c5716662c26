"""From measured numbers to a target's verdict: every observation in its place, the
fidelity backstop when accuracy cannot be decided, and the time an undecided latency
quantile would need."""

from __future__ import annotations

import dataclasses

import numpy as np

from mlgate.compare.compare import evaluate_target, observations
from mlgate.compare.thresholds import parse_threshold
from mlgate.results.measurements import Fidelity, Measured, Memory
from tests.compare.latency_samples import measured

COSINE_BACKSTOP = dataclasses.replace(parse_threshold(">= 0.999"), backstop=True)


def test_observations_cover_quality_then_latency_memory_and_sizes():
    m = dataclasses.replace(
        measured(200, 8, 1.0),
        fidelity=Fidelity(cosine=0.9999),
        memory=(Memory(1, 2), Memory(1, 2)),
        size=(10, 12),
    )
    names = [o.spec.name for o in observations(m, 0.95)]
    assert names[0] == "fidelity.cosine"
    assert names.index("latency.p50") < names.index("memory.peak") < names.index("size")
    assert names[-1] == "params"
    size = next(o for o in observations(m, 0.95) if o.spec.name == "size")
    assert (size.base, size.head, size.method) == (10, 12, "static")


def test_a_gated_size_growth_fails_the_target_and_keeps_its_notes():
    m = Measured(size=(100, 200), params=(1, 1), notes=["warm-up was short"])
    result = evaluate_target(
        "cpu", ["CPUExecutionProvider"], 2, m, {"size": parse_threshold("+10%")}
    )
    assert (result.name, result.threads) == ("cpu", 2)
    assert result.verdict == "fail"
    assert next(r for r in result.metrics if r.name == "size").verdict == "fail"
    assert result.notes == ["warm-up was short"]


def _undecided_accuracy(cosine: float) -> Measured:
    base = np.array([1.0, 1, 1, 1, 0, 1, 0, 1, 1, 1])  # 10 examples: too few to decide
    head = np.array([1.0, 1, 0, 1, 1, 1, 0, 1, 0, 1])
    return Measured(
        size=(1, 1),
        params=(1, 1),
        eval_metric="top1",
        accuracy=(0.8, 0.7),
        accuracy_scores=(base, head),
        accuracy_binary=True,
        fidelity=Fidelity(cosine=cosine),
    )


def test_fidelity_is_judged_as_a_backstop_only_when_accuracy_is_undecided():
    thresholds = {"accuracy": parse_threshold("-1pp"), "fidelity.cosine": COSINE_BACKSTOP}
    result = evaluate_target("cpu", ["CPU"], 1, _undecided_accuracy(0.95), thresholds)
    accuracy = next(r for r in result.metrics if r.name == "accuracy")
    cosine = next(r for r in result.metrics if r.name == "fidelity.cosine")
    assert accuracy.verdict == "inconclusive"
    assert cosine.verdict == "fail"
    assert "agreement with the base decides" in cosine.notes[-1]
    assert result.verdict == "fail"


def test_a_backstop_is_left_aside_while_accuracy_decides():
    thresholds = {"fidelity.cosine": COSINE_BACKSTOP}
    m = dataclasses.replace(_undecided_accuracy(0.95), accuracy=None, eval_metric=None)
    result = evaluate_target("cpu", ["CPU"], 1, m, thresholds)
    cosine = next(r for r in result.metrics if r.name == "fidelity.cosine")
    assert cosine.verdict == "skipped"  # shown, not judged: 0.95 would fail the backstop


def test_an_undecided_latency_quantile_says_how_much_more_time_it_needs():
    m = measured(100, 4, 1.0, latency_seconds_per_segment=2.0)
    result = evaluate_target("cpu", ["CPU"], 1, m, {"latency.p99": parse_threshold("+10%")})
    p99 = next(r for r in result.metrics if r.name == "latency.p99")
    assert p99.verdict == "inconclusive"
    assert p99.notes[-1] == "needs about 16 s more, or a smaller input"
