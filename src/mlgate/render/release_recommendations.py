"""A release's optimizer recommendations: per model and target, the variant the search
recommends (or that none was clearly faster within budget), its speedup and accuracy."""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.render import format as fmt
from mlgate.render.optimize_view import speedup_text
from mlgate.results.collect import Collected


@dataclass(frozen=True)
class RecommendationRow:
    model: str
    target: str
    variant: str  # "none" when nothing beat the original
    speedup: str
    accuracy: str
    passes: str
    searched: str


def recommendations(collected: Collected) -> list[RecommendationRow]:
    rows = []
    for results in collected.models:
        for target in results.targets:
            info = target.optimization
            if info is None:
                continue
            best = next((v for v in info.variants if v.name == info.recommended), None)
            searched = (
                f"{len(info.variants)} variants in {info.seconds:.0f} s "
                f"of {info.budget_seconds:.0f} s"
            )
            if best is None:
                rows.append(
                    RecommendationRow(
                        results.model,
                        target.name,
                        "none",
                        "no variant was clearly faster within budget",
                        "—",
                        "—",
                        searched,
                    )
                )
                continue
            rows.append(
                RecommendationRow(
                    results.model,
                    target.name,
                    best.name,
                    speedup_text(best),
                    fmt.signed_points(best.accuracy_change)
                    if best.accuracy_change is not None
                    else f"cosine {best.cosine:.4f}"
                    if best.cosine is not None
                    else "—",
                    " → ".join(best.passes),
                    searched,
                )
            )
    return rows
