"""A gate run over several changed models -> display strings for the run templates."""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.render.view import ICONS, ReportView, report_view
from mlgate.results.schema import ModelChange, RunReport

_STATUS = {"modified": "modified", "added": "new", "deleted": "deleted", "renamed": "renamed"}


@dataclass(frozen=True)
class ModelSection:
    report: ReportView
    renamed_from: str | None


@dataclass(frozen=True)
class NotGated:
    path: str
    status: str
    reason: str


@dataclass(frozen=True)
class RunView:
    verdict: str
    icon: str
    models: list[ModelSection]
    failing: list[str]
    not_gated: list[NotGated]
    errors: list[str]
    notes: list[str]
    base: str
    head: str
    config: str
    multi: bool
    details_url: str
    on_inconclusive: str = "neutral"


def _short(sha: str) -> str:
    return sha[:7] if sha else "—"


def _not_gated(change: ModelChange) -> NotGated:
    return NotGated(change.path, _STATUS[change.status], change.reason)


def run_view(report: RunReport, details_url: str = "") -> RunView:
    context = report.context
    renamed = {c.path: c.base_path for c in report.changes if c.status == "renamed"}
    sections = [
        ModelSection(report_view(results), renamed.get(results.model)) for results in report.results
    ]
    base = _short(context.base_sha) + (f" ({context.base_ref})" if context.base_ref else "")
    return RunView(
        verdict=report.verdict,
        icon="➖" if report.verdict == "neutral" else ICONS[report.verdict],
        models=sections,
        failing=[s.report.model for s in sections if s.report.verdict == "fail"],
        not_gated=[_not_gated(c) for c in report.changes if not c.gated],
        errors=list(report.errors),
        notes=list(report.notes),
        base=base,
        head=_short(context.head_sha),
        config=report.config_source,
        multi=len(sections) > 1,
        details_url=details_url,
        on_inconclusive={"pass": "a pass", "neutral": "neutral", "fail": "failed"}[
            report.on_inconclusive
        ],
    )
