"""Static facts read from the graph itself: parameters, bytes by dtype, ops, signature.
Deterministic: same model, same numbers, in every process."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import onnx

from mlgate.model.energy_proxy import EnergyProxy, energy_proxy
from mlgate.model.load import iter_graphs, iter_tensors
from mlgate.model.macs import MacCount, count_macs
from mlgate.model.shapes import TensorShape, infer_tensor_shapes
from mlgate.results.schema import ComputeInfo, EnergyProxyInfo, TensorSpec, UncountedOp

MAX_UNCOUNTED_LISTED = 100


@dataclass(frozen=True)
class StaticProfile:
    params: int
    bytes_by_dtype: dict[str, int]
    op_counts: dict[str, int]
    opsets: dict[str, int]
    producer: str
    inputs: list[TensorSpec]
    outputs: list[TensorSpec]

    @property
    def weight_bytes(self) -> int:
        return sum(self.bytes_by_dtype.values())


@dataclass(frozen=True)
class ComputeProfile:
    """What one inference at `input_shapes` does: MACs, bytes moved, energy proxy."""

    input_shapes: dict[str, list[int]]
    macs: MacCount
    weight_bytes: int  # read once per inference
    activation_bytes: int  # every intermediate written once and read by each consumer
    unsized_tensors: int  # activations whose shape inference could not size
    energy: EnergyProxy
    note: str = ""  # why shapes are unknown, when they are


def _dtype_name(elem_type: int) -> str:
    return str(onnx.TensorProto.DataType.Name(elem_type)).lower()


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
        by_dtype[_dtype_name(tensor.data_type)] += count * itemsize(tensor.data_type)
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


def itemsize(elem_type: int) -> int:
    """Bytes per element of an onnx element type (0 where it has no fixed size)."""
    try:
        return onnx.helper.tensor_dtype_to_np_dtype(elem_type).itemsize
    except (KeyError, TypeError, ValueError):
        return 0


def _activation_bytes(graph: onnx.GraphProto, shapes: dict[str, TensorShape]) -> tuple[int, int]:
    """Bytes written by every node output plus bytes read by every consumer, over the
    non-constant tensors of the main graph; and how many tensors could not be sized."""
    constants = {t.name for t in graph.initializer}
    constants.update(o for n in graph.node if n.op_type == "Constant" for o in n.output)
    total, unsized = 0, set()

    def size(name: str) -> int:
        known = shapes.get(name)
        if known is None or known.shape is None:
            unsized.add(name)
            return 0
        return int(np.prod(known.shape, dtype=np.int64)) * itemsize(known.dtype)

    for node in graph.node:
        if node.op_type == "Constant":
            continue
        total += sum(size(name) for name in node.input if name and name not in constants)
        total += sum(size(name) for name in node.output if name)
    return total, len(unsized)


ShapeProbe = Callable[[onnx.ModelProto, dict[str, list[int]], list[str]], dict[str, TensorShape]]


def _unsized(graph: onnx.GraphProto, shapes: dict[str, TensorShape]) -> list[str]:
    names = dict.fromkeys(n for node in graph.node for n in (*node.input, *node.output) if n)
    return [n for n in names if shapes.get(n) is None or shapes[n].shape is None]


def compute_profile(
    proto: onnx.ModelProto,
    input_shapes: dict[str, list[int]],
    weight_bytes: int,
    probe: ShapeProbe | None = None,
    guard: Callable[[dict[str, TensorShape]], None] | None = None,
) -> ComputeProfile:
    """MACs, bytes moved and the energy proxy of one inference at `input_shapes`. Tensors
    that shape inference cannot size are asked of `probe` (a run of the model), if given,
    after `guard` has seen the inferred shapes (and may refuse them)."""
    shapes, problem = infer_tensor_shapes(proto, input_shapes)
    if guard is not None:
        guard(shapes)
    unsized = _unsized(proto.graph, shapes)
    if unsized and probe is not None:
        found = probe(proto, input_shapes, unsized)
        shapes.update(found)
        if found:
            problem = "; ".join(
                p for p in (problem, f"{len(found)} tensor shapes taken from a run") if p
            )
    macs = count_macs(proto, shapes)
    activation_bytes, unsized_count = _activation_bytes(proto.graph, shapes)
    return ComputeProfile(
        input_shapes={name: list(shape) for name, shape in input_shapes.items()},
        macs=macs,
        weight_bytes=weight_bytes,
        activation_bytes=activation_bytes,
        unsized_tensors=unsized_count,
        energy=energy_proxy(macs.by_dtype, weight_bytes, activation_bytes),
        note=problem,
    )


def compute_info(profile: ComputeProfile) -> ComputeInfo:
    """The results-document form of a compute profile."""
    energy = profile.energy
    uncounted = profile.macs.uncounted
    return ComputeInfo(
        input_shapes=profile.input_shapes,
        macs=profile.macs.total,
        macs_by_dtype=profile.macs.by_dtype,
        macs_by_op=profile.macs.by_op,
        weight_bytes=profile.weight_bytes,
        activation_bytes=profile.activation_bytes,
        unsized_tensors=profile.unsized_tensors,
        energy_proxy=EnergyProxyInfo(
            version=energy.version,
            joules=energy.joules,
            compute_joules=energy.compute_joules,
            weight_joules=energy.weight_joules,
            activation_joules=energy.activation_joules,
        ),
        uncounted=[UncountedOp(u.node, u.op_type, u.reason) for u in uncounted][
            :MAX_UNCOUNTED_LISTED
        ],
        uncounted_total=len(uncounted),
        note=profile.note,
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
