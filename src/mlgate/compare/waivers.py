"""Waivers: a known regression accepted in git, with a reason and an expiry date. A failing
metric that a live waiver matches becomes `waived` (it no longer fails the target); a waiver
past its date stops applying and the comment says so. Pure: the date is passed in."""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
from dataclasses import dataclass

from mlgate.results.schema import TargetResult
from mlgate.results.verdicts import target_verdict


@dataclass(frozen=True)
class Waiver:
    model: str  # path or glob
    target: str  # target name or glob ("*": every target)
    metric: str  # metric name or glob
    reason: str
    expires: dt.date


def _matches(waiver: Waiver, model: str, target: str, metric: str) -> bool:
    return (
        fnmatch.fnmatchcase(model, waiver.model)
        and fnmatch.fnmatchcase(target, waiver.target)
        and fnmatch.fnmatchcase(metric, waiver.metric)
    )


def apply_waivers(
    result: TargetResult, model: str, waivers: list[Waiver], today: dt.date
) -> TargetResult:
    """`result` with matching failures waived, and a note for each waiver that expired."""
    metrics, notes = [], list(result.notes)
    for metric in result.metrics:
        if metric.verdict != "fail":
            metrics.append(metric)
            continue
        matching = [w for w in waivers if _matches(w, model, result.name, metric.name)]
        live = [w for w in matching if w.expires >= today]
        if live:
            waiver = max(live, key=lambda w: w.expires)
            note = f"waived until {waiver.expires.isoformat()}: {waiver.reason}"
            metrics.append(
                dataclasses.replace(metric, verdict="waived", notes=(*metric.notes, note))
            )
            continue
        for waiver in matching:
            notes.append(
                f"the waiver for {metric.name} expired on {waiver.expires.isoformat()} and no "
                f"longer applies ({waiver.reason}); renew it in mlgate-waivers.yml or fix the "
                "regression"
            )
        metrics.append(metric)
    if result.verdict not in ("pass", "fail"):
        return dataclasses.replace(result, metrics=metrics, notes=notes)
    return dataclasses.replace(
        result, metrics=metrics, notes=notes, verdict=target_verdict(metrics)
    )
