"""A release's sign-off: the checklist (one row per model and target; blocking: a failure
nobody waived, or an error), the headline over it, and the waivers to check before signing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mlgate.render import format as fmt
from mlgate.render.view import ICONS, failure_sentence, label
from mlgate.results.collect import Collected
from mlgate.results.schema import MetricResult, TargetResult


@dataclass(frozen=True)
class ChecklistItem:
    model: str
    target: str
    icon: str
    status: str  # passed | passed with waivers | failed | error | not measured
    detail: str
    blocking: bool
    kind: str  # pass | waived | fail | error | skipped: for styling


@dataclass(frozen=True)
class WaiverRow:
    model: str
    target: str
    metric: str
    change: str
    reason: str


def waived_reason(metric: MetricResult) -> str:
    return metric.notes[-1] if metric.notes else "waived"


def checklist_item(model: str, target: TargetResult) -> ChecklistItem:
    """One row of the sign-off checklist. Blocking: a failure nobody waived, or an error."""

    def item(kind: str, status: str, detail: str, blocking: bool = False) -> ChecklistItem:
        return ChecklistItem(model, target.name, ICONS[kind], status, detail, blocking, kind)

    if target.verdict == "error":
        return item("error", "error", target.error or "the target did not run", True)
    if target.verdict == "fail":
        failures = [failure_sentence(m) for m in target.metrics if m.verdict == "fail"]
        return item("fail", "failed", "; ".join(failures) or "failed", True)
    if target.verdict == "skipped":
        return item("skipped", "not measured", "; ".join(target.notes) or "no results")
    waived = [m for m in target.metrics if m.verdict == "waived"]
    if waived:
        detail = "; ".join(f"{label(m)}: {waived_reason(m)}" for m in waived)
        return item("waived", "passed with waivers", detail)
    return item("pass", "passed", "")


def sign_off_headline(
    items: Sequence[ChecklistItem], errors: Sequence[str]
) -> tuple[bool, str, str]:
    blocking = [i for i in items if i.blocking]
    skipped = [i for i in items if i.status == "not measured"]
    waived = [i for i in items if i.status == "passed with waivers"]
    if blocking or errors:
        count = len(blocking) + len(errors)
        return (
            False,
            "Not ready to sign off",
            (
                f"{count} blocking item{'s' if count != 1 else ''}: every target must pass, or "
                "have its failure waived with a reason, before this release is signed off."
            ),
        )
    extras = []
    if waived:
        extras.append(f"{len(waived)} with waivers")
    if skipped:
        extras.append(f"{len(skipped)} not measured (allowed by the config)")
    suffix = f" ({', '.join(extras)})" if extras else ""
    return (
        True,
        "Ready to sign off",
        (f"Every target passed{suffix}. Check the waivers and provenance below, then sign."),
    )


def waiver_rows(collected: Collected) -> list[WaiverRow]:
    return [
        WaiverRow(
            results.model,
            target.name,
            label(metric),
            fmt.signed_percent(metric.change)
            if metric.change is not None
            else fmt.signed_points(metric.delta),
            waived_reason(metric),
        )
        for results in collected.models
        for target in results.targets
        for metric in target.metrics
        if metric.verdict == "waived"
    ]
