"""The variant search and optimization drift -> display strings. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlgate.render import format as fmt
from mlgate.results.schema import OptimizationInfo, VariantResult

STATUS_ICONS = {
    "recommended": "⭐",
    "faster": "🟢",
    "screened": "⚪",
    "not faster": "⚪",
    "slower": "🔴",
    "rejected": "🚫",
    "failed": "⚠️",
    "skipped": "➖",
}


@dataclass(frozen=True)
class VariantRow:
    name: str
    passes: str
    size: str
    speedup: str
    accuracy: str
    fidelity: str
    status: str
    reason: str


def speedup_text(variant: VariantResult) -> str:
    if variant.speedup is None:
        return "—"
    text = f"{variant.speedup:.2f}×"
    if variant.speedup_ci is not None:
        low, high = variant.speedup_ci
        text += f" ({low:.2f}–{high:.2f})"
    return text


def _accuracy(variant: VariantResult) -> str:
    if variant.accuracy_change is None:
        return "—"
    return fmt.signed_points(variant.accuracy_change)


def _fidelity(variant: VariantResult) -> str:
    parts = []
    if variant.cosine is not None:
        parts.append(f"cos {variant.cosine:.4f}")
    if variant.max_abs_diff is not None:
        parts.append(f"max Δ {variant.max_abs_diff:.3g}")
    if variant.top1_agreement is not None:
        parts.append(f"top-1 {variant.top1_agreement:.1%}")
    return ", ".join(parts) or "—"


def variant_rows(info: OptimizationInfo | None) -> list[VariantRow]:
    if info is None:
        return []
    return [
        VariantRow(
            name=v.name,
            passes=" → ".join(v.passes),
            size=fmt.size(v.size_bytes) if v.size_bytes is not None else "—",
            speedup=speedup_text(v),
            accuracy=_accuracy(v),
            fidelity=_fidelity(v),
            status=f"{STATUS_ICONS[v.status]} {v.status}",
            reason=short_reason(v.status, v.reason),
        )
        for v in info.variants
    ]


_RAISED = re.compile(r"^(?:(?P<step>[\w.-]+): )?(?P<kind>[A-Z]\w*(?:Error|Exception|Fail\w*)):")
_WHERE = re.compile(r"\((?P<where>[\w.-]+\.py:\d+)\)$")


def short_reason(status: str, reason: str) -> str:
    """A crashed third-party pass as one line of reason ("onnxruntime's quantizer raised
    KeyError (quant_utils.py:412): this pass cannot handle the model"), never the raw
    exception text, which the results file keeps."""
    if status != "failed":
        return reason
    raised = _RAISED.match(reason)
    if raised is None:
        return reason.splitlines()[0][:160] if reason else ""
    where = _WHERE.search(reason)
    step = f"{raised['step']} " if raised["step"] else "the pass "
    place = f" ({where['where']})" if where else ""
    return f"{step}raised {raised['kind']}{place}: it cannot handle this model"


def recommendation(info: OptimizationInfo | None) -> str:
    """ "could ship 2.79× faster (95% CI 2.72–2.93×) at +0.0 pt with variant X", or ""."""
    if info is None or info.recommended is None:
        return ""
    best = next(v for v in info.variants if v.name == info.recommended)
    accuracy = (
        f" at {fmt.signed_points(best.accuracy_change)} accuracy"
        if best.accuracy_change is not None
        else f" (cosine {best.cosine:.4f} to the original)"
        if best.cosine is not None
        else ""
    )
    interval = ""
    if best.speedup_ci is not None:
        interval = f" (95% CI {best.speedup_ci[0]:.2f}–{best.speedup_ci[1]:.2f}×)"
    return f"could ship {best.speedup:.2f}× faster{interval}{accuracy} as variant {best.name}"


def search_line(info: OptimizationInfo | None) -> str:
    if info is None:
        return ""
    tried = sum(v.status not in ("skipped",) for v in info.variants)
    line = (
        f"{tried} variants built and checked in {info.seconds:.0f} s (budget "
        f"{info.budget_seconds:.0f} s); fidelity: {info.fidelity_rule}; each survivor timed "
        "against the original by interleaved A/B."
    )
    if info.recommended is None:
        line = "No variant is clearly faster within the accuracy budget. " + line
    if info.not_tried:
        line += f" Not tried (time budget): {', '.join(info.not_tried)}."
    return line


def drift_lines(info: OptimizationInfo | None) -> list[str]:
    if info is None or info.drift is None:
        return []
    drift = info.drift
    fused = ", ".join(
        f"{op} {drift.base_fused.get(op, 0)} → {drift.head_fused.get(op, 0)}"
        for op in sorted(set(drift.base_fused) | set(drift.head_fused))
    )
    lines = [
        f"After {drift.recipe}: nodes {drift.base_nodes:,} → {drift.head_nodes:,}; fused ops: "
        + (fused or "none")
    ]
    if drift.head_placement:
        lines.append(
            "Nodes per provider (profiled run): "
            + ", ".join(
                f"{p.removesuffix('ExecutionProvider')} {n}"
                for p, n in drift.head_placement.items()
            )
        )
    lines += [f"⚠️ {line}" for line in drift.lost]
    return lines
