"""Threshold values in the config: a known metric, text the threshold parser accepts in the
metric's direction, or a word that turns the check off."""

from __future__ import annotations

import difflib
from typing import Any

from mlgate.compare.metrics import ERROR_METRICS, METRICS
from mlgate.compare.thresholds import ThresholdSyntaxError, parse_threshold

_DISABLED = {"off", "none", "null", "false", "no", ""}


def is_disabled(text: Any) -> bool:
    """`off`, `none`, null or YAML's `off`/`no`/`false` (parsed as False) turn a check off."""
    return (
        text is None
        or text is False
        or (isinstance(text, str) and text.strip().lower() in _DISABLED)
    )


def check_threshold(name: str, text: Any) -> None:
    """Validate one `metric: threshold` pair; raises ValueError with what is accepted."""
    if name not in METRICS:
        close = difflib.get_close_matches(name, METRICS, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise ValueError(f"unknown metric '{name}'; {hint}accepted: {', '.join(METRICS)}")
    if is_disabled(text):
        return
    try:
        threshold = parse_threshold(text)
        threshold.check_direction(METRICS[name].higher_is_better)
    except ThresholdSyntaxError as exc:
        raise ValueError(f"threshold for '{name}': {exc}") from None


def check_accuracy_units(name: str, text: Any, metric: str) -> None:
    if name != "accuracy" or is_disabled(text) or metric not in ERROR_METRICS:
        return
    if parse_threshold(text).kind == "points":
        raise ValueError(
            f"accuracy threshold '{text}' is in points, but metric '{metric}' is an error "
            "(lower is better); use a relative threshold such as '+5%'"
        )
