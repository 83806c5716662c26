"""The variant search and optimization drift -> display strings. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mlgate.render import format as fmt
from mlgate.render.markdown import fence_line
from mlgate.render.untrusted import literal
from mlgate.results.deployment import Deployment
from mlgate.results.schema import OptimizationInfo, RightSizing, ThreadLatency, VariantResult

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


# ---- the deployment, right-sizing and portability -------------------------------------------


def deployment_line(deployment: Deployment) -> str:
    """ "onnxruntime 1.31.1 · int8 · 1 thread · CPUExecutionProvider · model m.onnx"."""
    threads = f"{deployment.threads} thread{'s' if deployment.threads != 1 else ''}"
    if deployment.onnxruntime is not None:
        where = ", ".join(deployment.onnxruntime.providers)
        level = deployment.onnxruntime.session_options.get("graph_optimization_level")
        where += f", {level}" if level else ""
    elif deployment.openvino is not None:
        properties = ", ".join(f"{k}={v}" for k, v in deployment.openvino.properties.items())
        where = deployment.openvino.device + (f" ({properties})" if properties else "")
    else:
        where = ""
    passes = " → ".join(deployment.passes) or "no passes"
    return (
        f"{deployment.runtime} {deployment.runtime_version} · {deployment.precision} · "
        f"{threads} · {where} · {passes} · model {deployment.model}"
    )


def _py(text: str) -> str:
    """A Python string literal of a name from the repository, safe inside a code fence."""
    return repr(literal(text, 200).replace("`", "ˋ"))


def load_call(folder: str) -> str:
    return f"mlgate.deploy.load({_py(folder)}).run(feeds)"


def load_snippet(deployment: Deployment, folder: str, model_path: str = "") -> list[str]:
    """A few lines that make and load the deployment: with mlgate, and with the runtime
    alone. Names from the repository appear only as escaped string literals."""
    lines = []
    if model_path:
        lines.append(f"# mlgate optimize {_py(model_path)} --out {_py(folder)}")
    lines += ["import mlgate.deploy", f"outputs = {load_call(folder)}  # feeds: name -> array"]
    path = _py(f"{folder}/{deployment.model}")
    if deployment.onnxruntime is not None:
        options = deployment.onnxruntime.session_options
        level = str(options.get("graph_optimization_level", "ORT_ENABLE_ALL"))
        lines += [
            "# or with onnxruntime alone:",
            "import onnxruntime as ort",
            "options = ort.SessionOptions()",
            f"options.graph_optimization_level = ort.GraphOptimizationLevel.{_name(level)}",
            f"options.intra_op_num_threads = {int(deployment.threads)}",
            f"session = ort.InferenceSession({path}, options, "
            f"providers={[_name(p) for p in deployment.onnxruntime.providers]!r})",
        ]
    elif deployment.openvino is not None:
        properties = {_name(k): v for k, v in deployment.openvino.properties.items()} | {
            "INFERENCE_NUM_THREADS": int(deployment.threads)
        }
        lines += [
            "# or with OpenVINO alone:",
            "import openvino as ov",
            f"compiled = ov.Core().compile_model({path}, {_py(deployment.openvino.device)}, "
            f"{properties!r})",
        ]
    return lines


def _name(text: str) -> str:
    """An identifier-like setting name, or a placeholder when it is not one."""
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]{0,80}", text) else "INVALID_NAME"


def _row_text(row: ThreadLatency) -> str:
    interval = ""
    if row.p90_ci_ms is not None:
        interval = f" ({row.p90_ci_ms[0]:.3g}–{row.p90_ci_ms[1]:.3g})"
    cost = f", ${row.cost_per_million:.4g} per 1M" if row.cost_per_million is not None else ""
    slo = f" · {row.slo}" if row.slo else ""
    return (
        f"{row.threads} thread{'s' if row.threads != 1 else ''}: p50 {row.p50_ms:.3g} ms, "
        f"p90 {row.p90_ms:.3g} ms{interval}, {row.core_seconds_per_million:,.0f} core-s per "
        f"1M{cost}{slo}"
    )


def right_sizing_lines(sizing: RightSizing | None) -> list[str]:
    if sizing is None:
        return []
    lines = [
        f"Right-sizing {sizing.subject} on {sizing.cores} core(s), every thread count timed "
        f"in turn in one process ({sizing.segments} session segments, {sizing.seconds:.0f} s; "
        f"{sizing.price_source}):"
    ]
    lines += [_row_text(row) for row in sizing.rows]
    if sizing.slo_ms is not None and sizing.best_threads is not None:
        lines.append(
            f"cheapest here meeting p90 ≤ {sizing.slo_ms:g} ms: {sizing.best_threads} thread(s)"
        )
    if sizing.note:
        lines.append(sizing.note)
    return lines


PORTABILITY_ICONS = {"portable": "✅", "broken": "⚠️", "undecided": "❔"}


def portability_lines(info: OptimizationInfo | None) -> list[str]:
    if info is None or info.portability is None:
        return []
    found = info.portability
    head = (
        f"{PORTABILITY_ICONS[found.status]} Portability: the head under the base's deployment "
        f"({deployment_line(found.deployment)}; {found.source}): {found.status}"
    )
    if found.speedup is not None and found.speedup_ci is not None:
        low, high = found.speedup_ci
        head += f", {found.speedup:.2f}× ({low:.2f}–{high:.2f}) vs the head as is"
    if found.cosine is not None:
        head += f", cosine {found.cosine:.4f}"
    return [head, *found.problems, *([found.note] if found.note else [])]


def cheapest_target(targets: list[tuple[str, RightSizing]]) -> str:
    """Across targets: the cheapest configured target and thread count meeting the
    objective; dollars where every target has a price, else core-seconds."""
    meeting = [
        (name, sizing, row) for name, sizing in targets for row in sizing.rows if row.slo == "meets"
    ]
    if not meeting or len(targets) < 2:
        return ""
    priced = all(row.cost_per_million is not None for _, _, row in meeting)

    def cost(item: tuple[str, RightSizing, ThreadLatency]) -> float:
        row = item[2]
        return (
            row.cost_per_million
            if priced and row.cost_per_million is not None
            else (row.core_seconds_per_million)
        )

    name, sizing, row = min(meeting, key=cost)
    unit = (
        f"${row.cost_per_million:.4g}" if priced else f"{row.core_seconds_per_million:,.0f} core-s"
    )
    return (
        f"Cheapest configured target meeting p90 ≤ {sizing.slo_ms:g} ms: {name} at "
        f"{row.threads} thread(s), {unit} per 1M inferences"
    )


DEFAULT_FOLDER = "mlgate-optimized"


def deployment_fields(info: OptimizationInfo | None, model: str) -> dict[str, Any]:
    """The target view's deployment, load code, right-sizing and portability."""
    if info is None:
        return {}
    fields: dict[str, Any] = {
        "right_sizing": right_sizing_lines(info.right_sizing),
        "portability": portability_lines(info),
    }
    if info.deployment is not None and info.recommended is not None:
        fields["deployment"] = deployment_line(info.deployment)
        code = load_snippet(info.deployment, DEFAULT_FOLDER, model)
        fields["load_code"] = [fence_line(line) for line in code]
    return fields
