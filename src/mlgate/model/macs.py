"""Multiply-accumulates per op type and dtype, from concrete tensor shapes.

A MAC's dtype is the dtype its operands are stored in: an int8 weight that a
DequantizeLinear turns into float before a MatMul makes an int8 MAC (QDQ), like a QLinearConv
or a MatMulInteger does. Ops without multiply-accumulates (elementwise, reshapes, pooling)
count zero; an op that has them but cannot be counted (unknown shape, control-flow body,
custom domain, no formula) is listed as uncounted with the reason, never a crash."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import onnx

from mlgate.model.mac_formulas import (
    HANDLERS,
    INTEGER_MAC_OPS,
    OperandGraph,
    Uncountable,
)
from mlgate.model.shapes import TensorShape

# Op types whose names say they multiply-accumulate; one without a formula is uncounted.
_MAC_WORDS = ("Attention", "Conv", "MatMul", "Gemm", "LSTM", "GRU", "RNN", "Einsum")
_STANDARD_DOMAINS = {"", "ai.onnx", "ai.onnx.ml", "com.microsoft"}


@dataclass(frozen=True)
class Uncounted:
    node: str
    op_type: str
    reason: str


@dataclass(frozen=True)
class MacCount:
    by_op: dict[str, dict[str, int]]  # op type -> dtype class -> MACs
    uncounted: list[Uncounted]

    @property
    def total(self) -> int:
        return sum(sum(d.values()) for d in self.by_op.values())

    @property
    def by_dtype(self) -> dict[str, int]:
        totals: dict[str, int] = defaultdict(int)
        for per_dtype in self.by_op.values():
            for dtype, macs in per_dtype.items():
                totals[dtype] += macs
        return dict(sorted(totals.items()))


def op_key(node: onnx.NodeProto) -> str:
    domain = "" if node.domain in ("", "ai.onnx") else node.domain
    return f"{domain}:{node.op_type}" if domain else node.op_type


def _why_not(node: onnx.NodeProto, domain: str) -> str | None:
    """The reason a node without a handler is uncounted, or None when it has no MACs."""
    if domain not in _STANDARD_DOMAINS:
        return f"custom op domain '{domain}': MACs unknown"
    if node.op_type.startswith("TreeEnsemble"):
        return "decision trees compare, they do not multiply-accumulate"
    if any(word in node.op_type for word in _MAC_WORDS):
        return "no MAC formula for this op"
    return None


def _subgraph_nodes(graph: onnx.GraphProto) -> list[onnx.NodeProto]:
    found: list[onnx.NodeProto] = []
    for node in graph.node:
        for attribute in node.attribute:
            subgraphs = (
                [attribute.g]
                if attribute.type == onnx.AttributeProto.GRAPH
                else list(attribute.graphs)
            )
            for sub in subgraphs:
                found.extend(sub.node)
                found.extend(_subgraph_nodes(sub))
    return found


def count_macs(proto: onnx.ModelProto, shapes: Mapping[str, TensorShape]) -> MacCount:
    graph = OperandGraph(proto.graph, shapes)
    by_op: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    uncounted: list[Uncounted] = []
    for node in proto.graph.node:
        domain = "" if node.domain in ("", "ai.onnx") else node.domain
        handler = HANDLERS.get((domain, node.op_type))
        if handler is None:
            reason = _why_not(node, domain)
            if reason is not None:
                uncounted.append(Uncounted(node.name, op_key(node), reason))
            continue
        try:
            dtype, macs = handler(node, graph)
        except Uncountable as exc:
            uncounted.append(Uncounted(node.name, op_key(node), str(exc)))
            continue
        if (domain, node.op_type) in INTEGER_MAC_OPS and not dtype.startswith("int"):
            dtype = "int8"
        by_op[op_key(node)][dtype] += macs
    for node in _subgraph_nodes(proto.graph):
        domain = "" if node.domain in ("", "ai.onnx") else node.domain
        if (domain, node.op_type) in HANDLERS or _why_not(node, domain) is not None:
            uncounted.append(
                Uncounted(
                    node.name,
                    op_key(node),
                    "inside an If/Loop/Scan body: runs a data-dependent number of times",
                )
            )
    return MacCount(
        by_op={op: dict(sorted(d.items())) for op, d in sorted(by_op.items())},
        uncounted=uncounted,
    )
