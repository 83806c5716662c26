"""A release's results (and the previous release's) -> what the sign-off report shows: the
verdict and checklist, per-target tables, changes since the previous release, optimizer
recommendations, provenance, waivers, and inline SVG charts. Pure; wording lives here."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlgate.render.release_changes import ChangeRow, changes_since
from mlgate.render.release_charts import Chart, latency_chart, per_target_chart, variant_charts
from mlgate.render.release_models import ModelSection, model_sections
from mlgate.render.release_provenance import RunnerRow, commits, runner_rows
from mlgate.render.release_recommendations import RecommendationRow, recommendations
from mlgate.render.release_signoff import (
    ChecklistItem,
    WaiverRow,
    checklist_item,
    sign_off_headline,
    waiver_rows,
)
from mlgate.results.collect import Collected


@dataclass(frozen=True)
class ReleaseView:
    release: str
    previous_release: str
    created_at: str
    ready: bool
    headline: str  # "Ready to sign off" / "Not ready to sign off"
    summary: str  # one sentence under the headline
    checklist: list[ChecklistItem]
    models: list[ModelSection]
    changes: list[ChangeRow]
    changes_note: str
    recommendations: list[RecommendationRow]
    waivers: list[WaiverRow]
    runners: list[RunnerRow]
    commits: list[str]
    sources: list[str]
    ignored: list[str]
    charts: list[Chart] = field(default_factory=list)


def release_view(
    current: Collected,
    release: str,
    created_at: str,
    previous: Collected | None = None,
    previous_release: str = "",
) -> ReleaseView:
    items = [checklist_item(r.model, t) for r in current.models for t in r.targets]
    errors = [e for r in current.models for e in r.errors]
    ready, headline, summary = sign_off_headline(items, errors)
    changes, changes_note = changes_since(current, previous)
    charts = [
        c
        for c in (
            latency_chart(current, previous),
            *variant_charts(current),
            per_target_chart(
                current,
                ("energy", "energy_proxy"),
                "Energy per inference per target (measured where a meter exists, else the proxy)",
                "J",
            ),
            per_target_chart(current, ("cost",), "Cost per million inferences per target", "usd"),
        )
        if c is not None
    ]
    return ReleaseView(
        release=release,
        previous_release=previous_release,
        created_at=created_at,
        ready=ready,
        headline=headline,
        summary=summary,
        checklist=items,
        models=model_sections(current),
        changes=changes,
        changes_note=changes_note,
        recommendations=recommendations(current),
        waivers=waiver_rows(current),
        runners=runner_rows(current),
        commits=commits(current),
        sources=list(current.sources),
        ignored=list(current.ignored),
        charts=charts,
    )
