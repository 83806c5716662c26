"""A release's results (and the previous release's) -> what the sign-off report shows: the
verdict and checklist, per-target tables, changes since the previous release, optimizer
recommendations, provenance, waivers, and inline SVG charts. Pure; wording lives here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup

from mlgate.render import format as fmt
from mlgate.render import svg
from mlgate.render.optimize_view import speedup_text
from mlgate.render.view import ICONS, LABELS, TargetView, failure_sentence, label, target_view
from mlgate.results.collect import Collected, Runner
from mlgate.results.schema import MetricResult, TargetResult, VariantResult

CHANGE_METRICS = (
    "latency.p50",
    "accuracy",
    "size",
    "params",
    "memory.peak",
    "energy",
    "energy_proxy",
    "cost",
    "carbon",
)


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
class ChangeRow:
    model: str
    target: str
    metric: str
    previous: str
    current: str
    change: str


@dataclass(frozen=True)
class RecommendationRow:
    model: str
    target: str
    variant: str  # "none" when nothing beat the original
    speedup: str
    accuracy: str
    passes: str
    searched: str


@dataclass(frozen=True)
class WaiverRow:
    model: str
    target: str
    metric: str
    change: str
    reason: str


@dataclass(frozen=True)
class RunnerRow:
    target: str
    models: str
    machine: str
    runtime: str
    tool: str
    source: str


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


@dataclass(frozen=True)
class Chart:
    title: str
    svg: Markup


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


def _metric(target: TargetResult, name: str) -> MetricResult | None:
    return next((m for m in target.metrics if m.name == name), None)


def _waived_reason(metric: MetricResult) -> str:
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
        detail = "; ".join(f"{label(m)}: {_waived_reason(m)}" for m in waived)
        return item("waived", "passed with waivers", detail)
    return item("pass", "passed", "")


def _headline(items: Sequence[ChecklistItem], errors: Sequence[str]) -> tuple[bool, str, str]:
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


def _models(collected: Collected) -> list[ModelSection]:
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


def _previous_target(previous: Collected | None, model: str, target: str) -> TargetResult | None:
    if previous is None:
        return None
    results = next((r for r in previous.models if r.model == model), None)
    if results is None:
        return None
    return next((t for t in results.targets if t.name == target), None)


def _runner(collected: Collected | None, model: str, target: str) -> Runner | None:
    if collected is None:
        return None
    return next((r for r in collected.runners if (r.model, r.target) == (model, target)), None)


def _changes(current: Collected, previous: Collected | None) -> tuple[list[ChangeRow], str]:
    if previous is None:
        return [], (
            "No previous release given (--previous): the per-target tables below compare this "
            "release's model with the base it was measured against, on the same runner."
        )
    rows: list[ChangeRow] = []
    machines_differ: list[str] = []
    unseen: list[str] = []
    for results in current.models:
        for target in results.targets:
            before = _previous_target(previous, results.model, target.name)
            if before is None:
                unseen.append(f"{results.model} on {target.name}")
                continue
            now_runner = _runner(current, results.model, target.name)
            then_runner = _runner(previous, results.model, target.name)
            if now_runner and then_runner and _machine(now_runner) != _machine(then_runner):
                machines_differ.append(f"{results.model} on {target.name}")
            for name in CHANGE_METRICS:
                old, new = _metric(before, name), _metric(target, name)
                if old is None or new is None or old.head is None or new.head is None:
                    continue
                change = "—"
                if old.head:
                    change = fmt.signed_percent(new.head / old.head - 1)
                if old.head == new.head:
                    change = "unchanged"
                rows.append(
                    ChangeRow(
                        results.model,
                        target.name,
                        LABELS.get(name, name) + _proxy_suffix(name),
                        fmt.value(old.unit, old.head),
                        fmt.value(new.unit, new.head),
                        change,
                    )
                )
    note = (
        "Previous and current figures come from different runs. Latency is compared across "
        "runs only as context; the verdict rests on each run's interleaved A/B."
    )
    if machines_differ:
        note += (
            " Measured on a different machine or runtime: "
            + ", ".join(machines_differ)
            + "; compare those latencies with care."
        )
    if unseen:
        note += " Not in the previous release's results: " + ", ".join(unseen) + "."
    if not rows:
        note = "The previous release's results share no model and target with this release."
    return rows, note


def _proxy_suffix(name: str) -> str:
    return " (proxy)" if name == "energy_proxy" else ""


def _machine(runner: Runner) -> tuple[str, str, str, int]:
    p = runner.provenance
    return (p.machine, p.cpu_model, p.onnxruntime, p.cpu_count)


def _recommendations(collected: Collected) -> list[RecommendationRow]:
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


def _waivers(collected: Collected) -> list[WaiverRow]:
    return [
        WaiverRow(
            results.model,
            target.name,
            label(metric),
            fmt.signed_percent(metric.change)
            if metric.change is not None
            else fmt.signed_points(metric.delta),
            _waived_reason(metric),
        )
        for results in collected.models
        for target in results.targets
        for metric in target.metrics
        if metric.verdict == "waived"
    ]


def _runners(collected: Collected) -> list[RunnerRow]:
    grouped: dict[tuple[str, str], list[Runner]] = {}
    for runner in collected.runners:
        grouped.setdefault((runner.target, runner.source), []).append(runner)
    rows = []
    for (target, source), runners in grouped.items():
        p = runners[0].provenance
        rows.append(
            RunnerRow(
                target=target,
                models=", ".join(dict.fromkeys(r.model for r in runners)),
                machine=f"{p.cpu_model} ({p.cpu_count} CPUs, {p.machine}), {p.platform}",
                runtime=f"onnxruntime {p.onnxruntime} · onnx {p.onnx} · numpy {p.numpy} · "
                f"Python {p.python}",
                tool=f"mlgate {p.tool_version}",
                source=source,
            )
        )
    return rows


def _commits(collected: Collected) -> list[str]:
    lines = []
    for context in collected.contexts:
        if not context.head_sha:
            continue
        where = f"{context.repository} " if context.repository else ""
        line = f"{where}head {context.head_sha} against base {context.base_sha or '—'}"
        if context.run_url:
            line += f" ({context.run_url})"
        lines.append(line)
    return lines


def _ms(seconds: float) -> str:
    return "0" if seconds == 0 else fmt.duration(seconds)


def _latency_chart(current: Collected, previous: Collected | None) -> Chart | None:
    groups = []
    series_then = "previous release" if previous is not None else "base (this run)"
    for results in current.models:
        for target in results.targets:
            p50 = _metric(target, "latency.p50")
            if p50 is None or p50.head is None:
                continue
            if previous is not None:
                before = _previous_target(previous, results.model, target.name)
                old = _metric(before, "latency.p50") if before is not None else None
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


def _variant_charts(current: Collected) -> list[Chart]:
    charts = []
    for results in current.models:
        for target in results.targets:
            info, p50 = target.optimization, _metric(target, "latency.p50")
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


def _per_target_chart(
    current: Collected, names: Sequence[str], title: str, unit_format: str
) -> Chart | None:
    groups = []
    for results in current.models:
        for target in results.targets:
            metric = next((m for n in names if (m := _metric(target, n)) is not None), None)
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


def release_view(
    current: Collected,
    release: str,
    created_at: str,
    previous: Collected | None = None,
    previous_release: str = "",
) -> ReleaseView:
    items = [checklist_item(r.model, t) for r in current.models for t in r.targets]
    errors = [e for r in current.models for e in r.errors]
    ready, headline, summary = _headline(items, errors)
    changes, changes_note = _changes(current, previous)
    charts = [
        c
        for c in (
            _latency_chart(current, previous),
            *_variant_charts(current),
            _per_target_chart(
                current,
                ("energy", "energy_proxy"),
                "Energy per inference per target (measured where a meter exists, else the proxy)",
                "J",
            ),
            _per_target_chart(current, ("cost",), "Cost per million inferences per target", "usd"),
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
        models=_models(current),
        changes=changes,
        changes_note=changes_note,
        recommendations=_recommendations(current),
        waivers=_waivers(current),
        runners=_runners(current),
        commits=_commits(current),
        sources=list(current.sources),
        ignored=list(current.ignored),
        charts=charts,
    )
