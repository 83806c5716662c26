"""A release's inline SVG charts: latency per target against the previous release (or the
base), accuracy against latency of the optimized variants, energy and cost per target."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from mlgate.render import format as fmt
from mlgate.render import svg
from mlgate.render.release_changes import metric_of, previous_target
from mlgate.results.collect import Collected
from mlgate.results.schema import VariantResult


@dataclass(frozen=True)
class Chart:
    title: str
    svg: Markup


def _ms(seconds: float) -> str:
    return "0" if seconds == 0 else fmt.duration(seconds)


def latency_chart(current: Collected, previous: Collected | None) -> Chart | None:
    groups = []
    series_then = "previous release" if previous is not None else "base (this run)"
    for results in current.models:
        for target in results.targets:
            p50 = metric_of(target, "latency.p50")
            if p50 is None or p50.head is None:
                continue
            if previous is not None:
                before = previous_target(previous, results.model, target.name)
                old = metric_of(before, "latency.p50") if before is not None else None
                then = old.head if old is not None else None
            else:
                then = p50.base
            groups.append(
                svg.BarGroup(
                    f"{results.model} · {target.name}",
                    [svg.Bar(series_then, then), svg.Bar("this release", p50.head)],
                )
            )
    if not groups:
        return None
    title = f"Median latency per target: {series_then} vs this release (shorter is better)"
    return Chart(
        title,
        Markup(
            svg.bar_chart(
                title,
                groups,
                [series_then, "this release"],
                _ms,
                "Median single-inference latency per model and target.",
            )
        ),
    )


def variant_charts(current: Collected) -> list[Chart]:
    charts = []
    for results in current.models:
        for target in results.targets:
            info, p50 = target.optimization, metric_of(target, "latency.p50")
            if info is None or p50 is None or p50.head is None:
                continue
            points = [svg.Point(p50.head, 0.0, "original", "original")]
            for variant in info.variants:
                if variant.speedup is None or variant.speedup <= 0:
                    continue
                points.append(
                    svg.Point(
                        p50.head / variant.speedup,
                        _fidelity_points(variant),
                        variant.name,
                        _kind(variant.status),
                    )
                )
            if len(points) < 2:
                continue
            y_label = "accuracy change (points)"
            if all(v.accuracy_change is None for v in info.variants):
                y_label = "output cosine shortfall ×100 (0 = identical)"
            title = f"{results.model} · {target.name}: accuracy vs latency of optimized variants"
            charts.append(
                Chart(
                    title,
                    Markup(
                        svg.scatter(
                            title,
                            points,
                            "median latency (left is faster)",
                            y_label,
                            _ms,
                            _points,
                            "Each optimized variant of the head model; "
                            "the recommended one is labelled.",
                            x_limit=3 * p50.head,
                        )
                    ),
                )
            )
    return charts


def _fidelity_points(variant: VariantResult) -> float:
    """Accuracy change in points; without labels, how far the output cosine falls short of
    1, ×100 (0 = the original's outputs)."""
    if variant.accuracy_change is not None:
        return variant.accuracy_change * 100
    return -(1 - variant.cosine) * 100 if variant.cosine is not None else 0.0


def _points(value: float) -> str:
    return f"{value:+.1f}" if value else "0"


def _kind(status: str) -> str:
    """A variant's status -> its scatter point style (a key of `svg.KIND_STYLES`)."""
    return status if status in ("recommended", "faster", "rejected") else "other"


def per_target_chart(
    current: Collected, names: Sequence[str], title: str, unit_format: str
) -> Chart | None:
    groups = []
    for results in current.models:
        for target in results.targets:
            metric = next((m for n in names if (m := metric_of(target, n)) is not None), None)
            if metric is None or metric.head is None:
                continue
            groups.append(
                svg.BarGroup(
                    f"{results.model} · {target.name}",
                    [svg.Bar("base", metric.base), svg.Bar("this release", metric.head)],
                )
            )
    if not groups:
        return None

    def formatter(value: float) -> str:
        return "0" if value == 0 else fmt.value(unit_format, value)

    return Chart(
        title, Markup(svg.bar_chart(title, groups, ["base", "this release"], formatter, title))
    )
