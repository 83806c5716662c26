"""Optimization drift: the same recipe on base and head, compared. A head model that loses a
fusion the base had (an export change that breaks onnxruntime's Attention or LayerNorm
pattern, say) or sends more nodes back to the CPU on a GPU target can be slower everywhere
without its own graph looking any worse; this catches that before it ships."""

from __future__ import annotations

import collections
import json
import tempfile
from pathlib import Path

import numpy as np
import onnxruntime as ort

from mlgate.bench.session import Target, session_options
from mlgate.optimize.build import Recipe, build, nodes_by_type
from mlgate.optimize.graph_passes import OrtGraph
from mlgate.optimize.pass_api import PassContext
from mlgate.results.schema import OptimizationDrift

RECIPE = Recipe("ort-extended", (OrtGraph("extended"),))
# What onnxruntime's graph optimizers fuse patterns into.
FUSED_OPS = frozenset(
    {
        "Attention", "MultiHeadAttention", "GroupQueryAttention", "PackedAttention",
        "RotaryEmbedding", "LayerNormalization", "SkipLayerNormalization",
        "SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization",
        "EmbedLayerNormalization", "Gelu", "FastGelu", "BiasGelu", "QuickGelu", "GemmFastGelu",
        "BiasSoftmax", "BiasDropout", "BiasAdd", "FusedConv", "FusedMatMul", "FusedGemm",
        "NhwcConv", "ConvTransposeWithDynamicPads", "MatMulNBits", "QLinearConv",
        "DynamicQuantizeMatMul", "MatMulIntegerToFloat", "QAttention", "QGemm",
    }
)  # fmt: skip
CPU = "CPUExecutionProvider"


def fused(counts: dict[str, int]) -> dict[str, int]:
    return {op: n for op, n in sorted(counts.items()) if op in FUSED_OPS}


def placement(
    path: Path, target: Target, feeds: dict[str, np.ndarray], workdir: Path
) -> dict[str, int]:
    """Nodes per execution provider in one profiled run (onnxruntime's profiler)."""
    options = session_options(target.threads)
    options.enable_profiling = True
    options.profile_file_prefix = str(workdir / "profile")
    session = ort.InferenceSession(str(path), options, providers=list(target.providers))
    session.run(None, feeds)
    trace = Path(session.end_profiling())
    events = json.loads(trace.read_text())
    nodes: dict[str, set[str]] = collections.defaultdict(set)
    for event in events:
        args = event.get("args", {})
        if event.get("cat") == "Node" and "provider" in args:
            nodes[args["provider"]].add(event.get("name", "").removesuffix("_kernel_time"))
    return {provider: len(names) for provider, names in sorted(nodes.items())}


def lost_lines(
    base_fused: dict[str, int], head_fused: dict[str, int],
    base_place: dict[str, int], head_place: dict[str, int], providers: tuple[str, ...],
) -> list[str]:  # fmt: skip
    """A fused op type the base had and the head has none of; or, on an accelerator target,
    a larger share of nodes falling back to the CPU."""
    lines = [
        f"{op}: {count} in base, none in head (a fusion the head's graph no longer matches)"
        for op, count in base_fused.items()
        if count and not head_fused.get(op)
    ]
    if any(p != CPU for p in providers) and base_place and head_place:
        share = {
            name: place.get(CPU, 0) / max(sum(place.values()), 1)
            for name, place in (("base", base_place), ("head", head_place))
        }
        if share["head"] > share["base"] + 0.01:
            lines.append(
                f"CPU fallback: {share['head']:.0%} of head nodes ran on the CPU, "
                f"{share['base']:.0%} of base nodes"
            )
    return lines


def measure_drift(
    base: Path,
    head: Path,
    target: Target,
    feeds: tuple[dict[str, np.ndarray], dict[str, np.ndarray]],
    timeout: float = 120.0,
) -> OptimizationDrift | str:
    """The drift record, or why it could not be taken."""
    context = PassContext(tuple(target.providers))
    with tempfile.TemporaryDirectory(prefix="mlgate-drift-") as tmp:
        folder = Path(tmp)
        built = []
        for name, path in (("base", base), ("head", head)):
            done = build(path, folder / f"{name}.onnx", RECIPE, context, timeout, False)
            if done.path is None:
                return f"{RECIPE.name} on the {name} model: {done.reason}"
            built.append(done.path)
        counts = [nodes_by_type(p) for p in built]
        places = [placement(p, target, f, folder) for p, f in zip(built, feeds, strict=True)]
    base_fused, head_fused = fused(counts[0]), fused(counts[1])
    return OptimizationDrift(
        recipe=RECIPE.name,
        base_fused=base_fused,
        head_fused=head_fused,
        base_nodes=sum(counts[0].values()),
        head_nodes=sum(counts[1].values()),
        base_placement=places[0],
        head_placement=places[1],
        lost=lost_lines(base_fused, head_fused, places[0], places[1], tuple(target.providers)),
    )
