"""Static facts read from the graph itself: parameters, bytes by dtype, ops, signature.
Deterministic: same model, same numbers, in every process."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import onnx

from mlgate.model.load import iter_graphs, iter_tensors
from mlgate.results.schema import TensorSpec


@dataclass(frozen=True)
class StaticProfile:
    params: int
    bytes_by_dtype: dict[str, int]
    op_counts: dict[str, int]
    opsets: dict[str, int]
    producer: str
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]


def _dtype_name(elem_type: int) -> str:
    return onnx.TensorProto.DataType.Name(elem_type).lower()


def _element_count(tensor: onnx.TensorProto) -> int:
    return int(np.prod(tensor.dims, dtype=np.int64)) if tensor.dims else 1


def _value_spec(value: onnx.ValueInfoProto) -> TensorSpec:
    kind = value.type.WhichOneof("value")
    if kind != "tensor_type":
        return TensorSpec(name=value.name, dtype=kind or "unknown", shape=[])
    tensor = value.type.tensor_type
    shape: list[int | str | None] = []
    if tensor.HasField("shape"):
        for dim in tensor.shape.dim:
            if dim.HasField("dim_value"):
                shape.append(int(dim.dim_value))
            else:
                shape.append(dim.dim_param or None)
    return TensorSpec(name=value.name, dtype=_dtype_name(tensor.elem_type), shape=shape)


def profile_model(proto: onnx.ModelProto) -> StaticProfile:
    params = 0
    by_dtype: Counter[str] = Counter()
    for tensor in iter_tensors(proto.graph):
        count = _element_count(tensor)
        params += count
        try:
            itemsize = onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type).itemsize
        except (KeyError, TypeError, ValueError):
            itemsize = 0
        by_dtype[_dtype_name(tensor.data_type)] += count * itemsize
    ops: Counter[str] = Counter()
    for graph in iter_graphs(proto.graph):
        for node in graph.node:
            domain = node.domain if node.domain not in ("", "ai.onnx") else ""
            ops[f"{domain}:{node.op_type}" if domain else node.op_type] += 1
    initializers = {tensor.name for tensor in proto.graph.initializer}
    return StaticProfile(
        params=params,
        bytes_by_dtype=dict(sorted(by_dtype.items())),
        op_counts=dict(sorted(ops.items())),
        opsets={(o.domain or "ai.onnx"): int(o.version) for o in proto.opset_import},
        producer=" ".join(p for p in (proto.producer_name, proto.producer_version) if p),
        inputs=[_value_spec(v) for v in proto.graph.input if v.name not in initializers],
        outputs=[_value_spec(v) for v in proto.graph.output],
    )


_PASS_THROUGH = {"Cast", "Reshape", "Unsqueeze", "Squeeze", "Flatten", "Identity", "Expand"}


def index_bounds(proto: onnx.ModelProto) -> dict[str, int]:
    """For integer inputs used as Gather indices into an initializer (token ids into an
    embedding table), the table's size: synthetic ids must stay below it."""
    graph = proto.graph
    tables = {t.name: list(t.dims) for t in graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    bounds: dict[str, int] = {}
    for value in graph.input:
        frontier, seen = [value.name], set()
        while frontier:
            name = frontier.pop()
            seen.add(name)
            for node in consumers.get(name, []):
                if node.op_type == "Gather" and len(node.input) > 1 and node.input[1] == name:
                    dims = tables.get(node.input[0])
                    axis = next((a.i for a in node.attribute if a.name == "axis"), 0)
                    if dims and -len(dims) <= axis < len(dims):
                        size = int(dims[axis])
                        bounds[value.name] = min(bounds.get(value.name, size), size)
                elif node.op_type in _PASS_THROUGH and node.input[0] == name:
                    frontier.extend(o for o in node.output if o not in seen)
    return bounds
