"""Efficiency beyond latency -> display strings: the graph diff, energy provenance, and the
cross-target cost and carbon table. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlgate.model.diff import GraphDiff, graph_diff
from mlgate.render import format as fmt
from mlgate.results.schema import MetricResult, ModelInfo, ProfileReport, Results, TargetResult

_MINUS = "−"


@dataclass(frozen=True)
class CostRow:
    """One target in the cross-target table: base → head (change) of each figure."""

    target: str
    latency: str  # median latency
    energy: str  # measured or estimated energy per inference, else the proxy
    cost: str  # "$0.14 → $0.16 (+12%)"
    carbon: str
    basis: str  # what the numbers were computed from


def _signed(value: int) -> str:
    return f"+{value:,}" if value > 0 else f"{_MINUS}{abs(value):,}"


def _pair(pair: tuple[float, float], unit: str) -> str:
    base, head = pair
    text = f"{fmt.value(unit, base)} → {fmt.value(unit, head)}"
    if base and base != head:
        ratio = head / base
        text += f" (×{ratio:.3g})" if ratio >= 10 else f" ({fmt.signed_percent(ratio - 1)})"
    return text


def _ops_line(diff: GraphDiff, limit: int = 12) -> str:
    parts = [f"{_signed(d.delta)} {d.op_type}" for d in diff.ops[:limit]]
    if len(diff.ops) > limit:
        parts.append(f"{len(diff.ops) - limit} more op types")
    return "ops: " + ", ".join(parts)


def graph_lines(base: ModelInfo | None, head: ModelInfo | None) -> list[str]:
    """One line per kind of change; empty when the graphs match in everything counted."""
    if base is None or head is None:
        return []
    diff = graph_diff(base, head)
    if diff.unchanged:
        return []
    lines = []
    if diff.ops:
        lines.append(_ops_line(diff))
    lines.append(f"nodes {_pair(diff.nodes, 'count')} · parameters {_pair(diff.params, 'count')}")
    for dtype, pair in diff.weight_bytes_by_dtype.items():
        lines.append(f"{dtype} weights {_pair(pair, 'bytes')}")
    if diff.macs is not None and len(set(diff.macs)) > 1:
        line = f"MACs per inference {_pair(diff.macs, 'macs')}"
        if diff.macs_by_dtype:
            line += " · " + ", ".join(
                f"{dtype} {_pair(pair, 'macs')}" for dtype, pair in diff.macs_by_dtype.items()
            )
        lines.append(line)
    if diff.activation_bytes is not None and len(set(diff.activation_bytes)) > 1:
        lines.append(f"activations moved per inference {_pair(diff.activation_bytes, 'bytes')}")
    if diff.energy_proxy is not None and len(set(diff.energy_proxy)) > 1:
        lines.append(f"energy proxy ({diff.proxy_version}) {_pair(diff.energy_proxy, 'J')}")
    if any(diff.uncounted):
        lines.append(
            f"ops whose MACs could not be counted: {diff.uncounted[0]} in base, "
            f"{diff.uncounted[1]} in head (see `mlgate profile`)"
        )
    lines.extend(diff.signature)
    return lines


def _metric(target: TargetResult, name: str) -> MetricResult | None:
    return next((m for m in target.metrics if m.name == name), None)


def _metric_pair(metric: MetricResult | None) -> str:
    if metric is None or metric.base is None or metric.head is None:
        return "—"
    return _pair((metric.base, metric.head), metric.unit)


def cost_rows(results: Results) -> list[CostRow]:
    """The cross-target table: shown when there is more than one target to set side by
    side, or a cost or carbon figure to show."""
    rows = []
    priced = False
    for target in results.targets:
        latency = _metric(target, "latency.p50")
        energy = _metric(target, "energy") or _metric(target, "energy_proxy")
        cost, carbon = _metric(target, "cost"), _metric(target, "carbon")
        if all(m is None for m in (latency, energy, cost, carbon)):
            continue
        priced = priced or cost is not None or carbon is not None
        sources = [f"energy: {energy.source}"] if energy is not None and energy.source else []
        sources += [m.source for m in (cost, carbon) if m is not None and m.source]
        rows.append(
            CostRow(
                target.name,
                _metric_pair(latency),
                _metric_pair(energy),
                _metric_pair(cost),
                _metric_pair(carbon),
                "; ".join(sources),
            )
        )
    return rows if priced or len(rows) > 1 else []


def energy_lines(target: TargetResult) -> list[str]:
    """Where this target's energy numbers came from, for the trust section."""
    lines = []
    proxy = _metric(target, "energy_proxy")
    if proxy is not None:
        lines.append(
            f"Energy proxy ({proxy.source.removeprefix('proxy: ')}): counted from the graph "
            "(MACs by dtype, weights read from DRAM, activations through SRAM); no noise, "
            "not a measurement."
        )
    energy = target.energy
    if energy is not None:
        spread = ""
        if energy.head_half_width is not None and energy.head_joules:
            spread = f", head ±{energy.head_half_width / energy.head_joules:.1%}"
        how = {
            "rapl": f"Energy measured with RAPL ({energy.detail})",
            "nvml": f"Energy measured with NVML on {energy.detail}",
            "estimated": f"Energy estimated from {energy.detail} (no meter on this runner)",
        }[energy.method]
        lines.append(
            f"{how}: {energy.windows} windows of {energy.window_seconds:g} s per model, ABBA "
            f"order{spread}. Compared only with the other model of this run, never across "
            "methods."
        )
    return lines


@dataclass(frozen=True)
class ProfileView:
    model: str
    sha: str
    size: str
    params: str
    weights: list[str]  # "float 1.1 MiB"
    shapes: list[str]  # "x[1, 64] (eval data)"
    macs_total: str
    macs_rows: list[tuple[str, str, str]]  # op type, dtype, MACs
    activations: str
    proxy: list[str]
    ops: list[str]  # "Conv ×12"
    uncounted: list[str]
    notes: list[str]


def profile_view(report: ProfileReport) -> ProfileView:
    info = report.model
    compute = info.compute
    shapes = [
        f"{name}{shape} ({report.shape_sources.get(name, '')})"
        for name, shape in (compute.input_shapes.items() if compute else [])
    ]
    macs_rows, proxy, uncounted, notes = [], [], [], []
    if compute is not None:
        macs_rows = [
            (op, dtype, fmt.count(macs))
            for op, per_dtype in sorted(
                compute.macs_by_op.items(), key=lambda kv: -sum(kv[1].values())
            )
            for dtype, macs in per_dtype.items()
        ]
        e = compute.energy_proxy
        proxy = [
            f"{fmt.energy(e.joules)} per inference ({e.version})",
            f"arithmetic {fmt.energy(e.compute_joules)} · weights from DRAM "
            f"{fmt.energy(e.weight_joules)} · activations through SRAM "
            f"{fmt.energy(e.activation_joules)}",
        ]
        uncounted = [f"{u.op_type} {u.node!r}: {u.reason}" for u in compute.uncounted]
        if compute.uncounted_total > len(compute.uncounted):
            uncounted.append(f"… and {compute.uncounted_total - len(compute.uncounted)} more")
        if compute.note:
            notes.append(compute.note)
        if compute.unsized_tensors:
            notes.append(
                f"{compute.unsized_tensors} activation tensors could not be sized: bytes moved "
                "and the proxy are lower bounds"
            )
        if compute.uncounted_total:
            notes.append("MACs and the proxy leave out the uncounted ops: they are lower bounds")
    return ProfileView(
        model=info.path,
        sha=info.sha256[:12],
        size=fmt.size(info.size_bytes),
        params=fmt.count(info.params),
        weights=[f"{dtype} {fmt.size(size)}" for dtype, size in info.bytes_by_dtype.items()],
        shapes=shapes,
        macs_total=f"{fmt.macs(compute.macs)} ({compute.macs:,})" if compute else "—",
        macs_rows=macs_rows,
        activations=fmt.size(compute.activation_bytes) if compute else "—",
        proxy=proxy,
        ops=[
            f"{op} ×{count}" for op, count in sorted(info.op_counts.items(), key=lambda kv: -kv[1])
        ],
        uncounted=uncounted,
        notes=notes,
    )


def _chart_label(name: str) -> str:
    """A target name as a Mermaid string: only characters that cannot end or break it."""
    return "".join(ch if ch.isalnum() or ch in "._- " else "_" for ch in name)[:40] or "_"


def latency_chart(results: Results) -> str:
    """Mermaid xychart of base (bars) vs head (line) median latency per target, in ms; empty
    when no target has both numbers, so the chart is absent rather than broken."""
    points = []
    for target in results.targets:
        p50 = _metric(target, "latency.p50")
        if p50 is None or p50.base is None or p50.head is None:
            continue
        if not (math.isfinite(p50.base) and math.isfinite(p50.head)):
            continue
        points.append((_chart_label(target.name), p50.base * 1e3, p50.head * 1e3))
    if not points:
        return ""
    labels = ", ".join(f'"{label}"' for label, _, _ in points)
    top = max(max(b, h) for _, b, h in points) * 1.15
    return "\n".join(
        [
            "xychart-beta",
            '  title "Median latency per target, ms (bars: base, line: head)"',
            f"  x-axis [{labels}]",
            f'  y-axis "ms" 0 --> {top:.4g}',
            f"  bar [{', '.join(f'{b:.4g}' for _, b, _ in points)}]",
            f"  line [{', '.join(f'{h:.4g}' for _, _, h in points)}]",
        ]
    )
