"""Results -> display strings for the templates. Pure; all wording decisions live here so
that the templates only lay things out."""

from __future__ import annotations

from dataclasses import dataclass, field

from markupsafe import Markup

from mlgate.render import format as fmt
from mlgate.render.efficiency_view import (
    CostRow,
    cost_rows,
    energy_lines,
    graph_lines,
    latency_chart,
)
from mlgate.render.optimize_view import (
    VariantRow,
    cheapest_target,
    deployment_fields,
    drift_lines,
    recommendation,
    search_line,
    variant_rows,
)
from mlgate.results.schema import MetricResult, OpShare, Results, TargetResult, TimeBreakdown

ICONS = {
    "pass": "✅",
    "fail": "❌",
    "improved": "🟢",
    "waived": "🟡",
    "inconclusive": "⚠️",
    "skipped": "➖",
    "error": "⚠️",
}

LABELS = {
    "accuracy": "accuracy",
    "fidelity.top1_agreement": "top-1 agreement (head vs base)",
    "fidelity.cosine": "output cosine (head vs base)",
    "fidelity.relative_diff": "max diff / output range (head vs base)",
    "fidelity.max_abs_diff": "max abs diff (head vs base)",
    "latency.p50": "latency p50",
    "latency.p90": "latency p90",
    "latency.p99": "latency p99",
    "throughput": "throughput",
    "memory.peak": "peak memory",
    "memory.session": "session memory",
    "memory.inference": "inference memory",
    "size": "model size",
    "params": "parameters",
    "macs": "MACs / inference",
    "energy_proxy": "energy / inference",
    "energy": "energy / inference",
    "cost": "cost / 1M inferences",
    "carbon": "CO₂e / 1M inferences",
}


@dataclass(frozen=True)
class MetricRow:
    label: str
    goal: str  # "↓" lower is better, "↑" higher is better
    base: str
    head: str
    change: str
    threshold: str
    verdict: str
    icon: str
    note: str


@dataclass(frozen=True)
class TargetView:
    name: str
    verdict: str
    icon: str
    providers: str
    threads: int
    rows: list[MetricRow]
    gated_rows: list[MetricRow]  # metrics with a threshold: what decides
    shown_rows: list[MetricRow]  # shown, not gated: folded away
    failures: list[str]
    inconclusive: list[str]
    waived: list[str]
    trust: list[str]
    notes: list[str]
    error: str | None
    history: str = ""  # the last results on main for the base model, for context
    variants: list[VariantRow] = field(default_factory=list)
    recommendation: str = ""
    search: str = ""
    drift: list[str] = field(default_factory=list)
    time_went: list[str] = field(default_factory=list)
    deployment: str = ""  # the recommended deployment, in one line
    load_code: list[Markup] = field(default_factory=list)  # fenced: escaped by load_snippet
    right_sizing: list[str] = field(default_factory=list)
    portability: list[str] = field(default_factory=list)


def label(metric: MetricResult) -> str:
    text = LABELS.get(metric.name, metric.name)
    if metric.name == "accuracy" and metric.eval_metric:
        text += f" ({metric.eval_metric})"
    elif metric.name == "energy_proxy":
        text += " (proxy)"
    elif metric.name == "energy" and metric.source:
        text += f" ({metric.source.split(':')[0]})"
    return text


def interval_text(metric: MetricResult) -> str:
    """The interval of the change: of `delta` in points for a fraction (paired accuracy),
    of the relative `change` otherwise; "" when there is none."""
    if metric.ci is None:
        return ""
    shown = fmt.signed_points if metric.unit == "fraction" else fmt.signed_percent
    return f"{shown(metric.ci[0])}…{shown(metric.ci[1])}"


def change_text(metric: MetricResult) -> str:
    if metric.base is None:
        return "—"
    text = (
        fmt.signed_points(metric.delta)
        if metric.unit == "fraction"
        else fmt.signed_percent(metric.change)
    )
    return text + (f" (CI {interval_text(metric)})" if metric.ci is not None else "")


def _short_change(metric: MetricResult) -> str:
    if metric.unit == "fraction":
        return fmt.signed_points(metric.delta)
    return fmt.signed_percent(metric.change)


def failure_sentence(metric: MetricResult) -> str:
    parts = [
        _short_change(metric) if metric.base is not None else fmt.value(metric.unit, metric.head)
    ]
    if metric.ci is not None:
        parts.append(f"95% CI {interval_text(metric)}")
    if metric.threshold:
        parts.append(f"threshold {metric.threshold}")
    return f"{label(metric)} ({', '.join(parts)})"


def metric_row(metric: MetricResult) -> MetricRow:
    return MetricRow(
        label=label(metric),
        goal="↑" if metric.higher_is_better else "↓",
        base=fmt.value(metric.unit, metric.base),
        head=fmt.value(metric.unit, metric.head),
        change=change_text(metric),
        threshold=metric.threshold or "—",
        verdict=metric.verdict,
        icon=ICONS[metric.verdict],
        note="; ".join(metric.notes),
    )


def _trust_lines(target: TargetResult) -> list[str]:
    latency = target.latency
    if latency is None:
        return energy_lines(target)
    threads = f"{target.threads} intra-op thread{'s' if target.threads != 1 else ''}"
    lines = [
        f"Base and head ran interleaved in one process on the same machine (ABBA blocks, "
        f"{threads}, {latency.pairs:,} pairs in {latency.seconds:.1f} s; stopped: "
        f"{latency.stop_reason}).",
        f"Both sessions were re-created {latency.segments} times (segments), so the memory "
        "layout of any one session pair cannot decide the verdict; intervals resample "
        "whole segments.",
        f"Inputs: {latency.input_source} "
        + ", ".join(f"{n}{list(s)}" for n, s in latency.input_shapes.items())
        + ".",
    ]
    if latency.plan:
        lines.append(f"What it took: {latency.plan}.")
    if latency.aa_noise is not None:
        lines.append(f"A/A noise on this machine (base vs base, median): ±{latency.aa_noise:.1%}.")
    if latency.layout_noise is not None:
        lines.append(
            f"Spread between segments (session layout and load): ±{latency.layout_noise:.1%}."
        )
    p50 = next((m for m in target.metrics if m.name == "latency.p50"), None)
    if p50 is not None and p50.min_detectable_change is not None:
        lines.append(
            f"Smallest latency change this run could detect: {p50.min_detectable_change:.1%}."
        )
    return lines + energy_lines(target)


def undecided_sentence(metric: MetricResult) -> str:
    """ "latency p90 not decided (needs ~40 s more, or a smaller input)"."""
    parts = metric.notes
    needs = [p for p in parts if p.startswith(("needs", "this eval set", "not decided"))]
    reason = needs[-1].removeprefix("not decided: ") if needs else (parts[-1] if parts else "")
    return f"{label(metric)} not decided" + (f" ({reason})" if reason else "")


def target_view(target: TargetResult, model: str = "") -> TargetView:
    rows = [(m, metric_row(m)) for m in target.metrics]
    return TargetView(
        name=target.name,
        verdict=target.verdict,
        icon=ICONS[target.verdict],
        providers=", ".join(target.providers),
        threads=target.threads,
        rows=[row for _, row in rows],
        gated_rows=[row for m, row in rows if m.threshold],
        shown_rows=[row for m, row in rows if not m.threshold],
        failures=[failure_sentence(m) for m in target.metrics if m.verdict == "fail"],
        inconclusive=[undecided_sentence(m) for m in target.metrics if m.verdict == "inconclusive"],
        waived=[
            f"{label(m)} ({m.notes[-1] if m.notes else 'waived'})"
            for m in target.metrics
            if m.verdict == "waived"
        ],
        trust=_trust_lines(target),
        notes=list(target.notes),
        error=target.error,
        history=history_line(target),
        variants=variant_rows(target.optimization),
        recommendation=recommendation(target.optimization),
        search=search_line(target.optimization),
        drift=drift_lines(target.optimization),
        time_went=time_lines(target.time_breakdown),
        **deployment_fields(target.optimization, model),
    )


def _share_text(row: OpShare) -> str:
    return (
        f"{row.name}: {fmt.duration(row.base_ms / 1e3)} → {fmt.duration(row.head_ms / 1e3)} "
        f"({row.share:.0%} of the change)"
    )


def time_lines(found: TimeBreakdown | None) -> list[str]:
    """Operators and nodes that account for most of a latency change, per call."""
    if found is None or not found.by_op:
        return []
    return [
        f"Kernel time per call (onnxruntime profiler, {found.runs} calls each, alternated): "
        f"{fmt.duration(found.base_ms / 1e3)} → {fmt.duration(found.head_ms / 1e3)}.",
        "By operator: " + " · ".join(_share_text(row) for row in found.by_op[:3]) + ".",
        "By node: " + " · ".join(_share_text(row) for row in found.by_node[:3]) + ".",
    ]


_HISTORY_METRICS = ("latency.p50", "accuracy", "energy", "energy_proxy", "memory.peak", "size")


def history_line(target: TargetResult) -> str:
    """ "Last on main (abc1234, 2026-11-20, same machine): median latency 1.2 ms · …"."""
    entry = target.history
    if entry is None:
        return ""
    units = {m.name: m.unit for m in target.metrics}
    parts = [
        f"{LABELS.get(name, name)}{' (proxy)' if name == 'energy_proxy' else ''} "
        f"{fmt.value(units.get(name, ''), entry.metrics[name])}"
        for name in _HISTORY_METRICS
        if name in entry.metrics
    ]
    where = "same machine" if entry.same_machine else "another machine or runtime"
    return (
        f"Last on main ({entry.commit[:7]}, {entry.recorded_at[:10]}, {where}): "
        + " · ".join(parts)
        + ". For context only: the verdict compares base and head measured here."
    )


@dataclass(frozen=True)
class ReportView:
    verdict: str
    icon: str
    model: str
    targets: list[TargetView]
    errors: list[str]
    reproduce: str
    base_sha: str
    head_sha: str
    runtime: str
    cpu: str
    eval_line: str
    graph: list[str]
    costs: list[CostRow]
    chart: str  # Mermaid source, built from sanitised labels and numbers only; "" for none
    headline: str = ""  # every failing and undecided gated metric, for the first line
    slo_pick: str = ""  # the cheapest configured target and thread count meeting slo_ms


def headline(results: Results) -> str:
    """ "latency p50 ×4.52, output cosine 0.89 (cpu); not decided: latency p90 (cpu)"."""
    failing, undecided = [], []
    for target in results.targets:
        where = f" ({target.name})" if len(results.targets) > 1 else ""
        for metric in target.metrics:
            if metric.verdict == "fail":
                failing.append(f"{label(metric)} {_headline_value(metric)}{where}")
            elif metric.verdict == "inconclusive":
                undecided.append(f"{label(metric)}{where}")
    parts = [", ".join(failing)] if failing else []
    if undecided:
        parts.append("not decided: " + ", ".join(undecided))
    return "; ".join(parts)


def _headline_value(metric: MetricResult) -> str:
    if metric.base is None:
        return fmt.value(metric.unit, metric.head)
    return _short_change(metric)


def report_view(results: Results) -> ReportView:
    prov = results.provenance
    eval_line = "no eval data (synthetic inputs)"
    if results.eval is not None:
        ev = results.eval
        eval_line = (
            f"eval set {ev.path} (sha256 {ev.sha256[:12]}, {ev.examples:,} examples, "
            f"metric {ev.metric}{'' if ev.labels else ', no labels: fidelity only'})"
        )
    return ReportView(
        verdict=results.verdict,
        icon=ICONS[results.verdict],
        model=results.model,
        targets=[target_view(t, results.model) for t in results.targets],
        errors=list(results.errors),
        reproduce=results.reproduce,
        base_sha=results.base.sha256[:12] if results.base else "—",
        head_sha=results.head.sha256[:12] if results.head else "—",
        runtime=f"onnxruntime {prov.onnxruntime}, onnx {prov.onnx}",
        cpu=f"{prov.cpu_model}, {prov.cpu_count} CPUs",
        eval_line=eval_line,
        graph=graph_lines(results.base, results.head),
        costs=cost_rows(results),
        chart=latency_chart(results),
        headline=headline(results),
        slo_pick=cheapest_target(
            [
                (t.name, t.optimization.right_sizing)
                for t in results.targets
                if t.optimization is not None and t.optimization.right_sizing is not None
            ]
        ),
    )
