"""A release's model sections: one per model, with its files, eval data and per-target
tables."""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.render import format as fmt
from mlgate.render.view import ICONS, TargetView, target_view
from mlgate.results.collect import Collected


@dataclass(frozen=True)
class ModelSection:
    name: str
    icon: str
    verdict: str
    head_sha256: str
    base_sha256: str
    eval_line: str
    head_size: str
    errors: list[str]
    targets: list[TargetView]


def model_sections(collected: Collected) -> list[ModelSection]:
    sections = []
    for results in collected.models:
        eval_line = "no eval data (synthetic inputs; fidelity to the base only)"
        if results.eval is not None:
            ev = results.eval
            eval_line = (
                f"{ev.path} · sha256 {ev.sha256} · {ev.examples:,} examples · metric {ev.metric}"
            )
        sections.append(
            ModelSection(
                name=results.model,
                icon=ICONS[results.verdict],
                verdict=results.verdict,
                head_sha256=results.head.sha256 if results.head else "—",
                base_sha256=results.base.sha256 if results.base else "—",
                eval_line=eval_line,
                head_size=fmt.size(results.head.size_bytes) if results.head else "—",
                errors=list(results.errors),
                targets=[target_view(t) for t in results.targets],
            )
        )
    return sections
