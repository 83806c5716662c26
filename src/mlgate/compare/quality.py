"""Observations of output quality: the task metric's paired change with labels, and the
head's agreement with the base's outputs (fidelity). Pure."""

from __future__ import annotations

from mlgate.compare.accuracy_stats import paired_change
from mlgate.compare.metrics import ERROR_METRICS, METRICS
from mlgate.compare.rules import Observation
from mlgate.results.measurements import Measured

FIDELITY_METRICS = (
    ("fidelity.top1_agreement", "top1_agreement"),
    ("fidelity.cosine", "cosine"),
    ("fidelity.relative_diff", "relative_diff"),
    ("fidelity.max_abs_diff", "max_abs_diff"),
)


def _accuracy_observation(m: Measured, confidence: float) -> list[Observation]:
    if m.accuracy is None or m.eval_metric is None:
        return []
    paired = None
    if m.accuracy_scores is not None:
        base_scores, head_scores = m.accuracy_scores
        paired = paired_change(base_scores, head_scores, m.accuracy_binary, confidence)
    return [
        Observation(
            METRICS["accuracy"],
            m.accuracy[0],
            m.accuracy[1],
            higher_is_better=m.eval_metric not in ERROR_METRICS,
            eval_metric=m.eval_metric,
            paired=paired,
            source=paired.method if paired is not None else "",
        )
    ]


def _fidelity_observations(m: Measured) -> list[Observation]:
    if m.fidelity is None:
        return []
    source = f"head vs base outputs on the {m.fidelity.inputs} inputs"
    found = [
        Observation(METRICS[name], None, value, method="measured", source=source)
        for name, field_name in FIDELITY_METRICS
        if (value := getattr(m.fidelity, field_name)) is not None
    ]
    if found:
        return found
    # No output could be compared: where agreement is gated this is undecided, not a pass.
    note = "no output of head and base could be compared (names, shapes or types differ)"
    return [Observation(METRICS["fidelity.cosine"], None, None, note=note, source=source)]


def quality_observations(m: Measured, confidence: float) -> list[Observation]:
    return [*_accuracy_observation(m, confidence), *_fidelity_observations(m)]
