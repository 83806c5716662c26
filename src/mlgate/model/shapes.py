"""Concrete shapes: which size a symbolic dimension gets, and the shape and dtype of every
tensor of a graph once its inputs are concrete (onnx shape inference with data propagation).

The sizing rules are shared with the synthetic latency inputs (`bench.inputs`), so the static
profile is computed at the very shapes that were timed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import onnx
from onnx import shape_inference

_SEQUENCE_WORDS = ("seq", "len", "token", "time", "step", "word", "sentence")
_BATCH_WORDS = ("batch", "n", "b", "unk__0", "n_samples")
# Initializers above this many bytes are copied without their data for shape inference:
# only their dims matter, and small integer ones (shape constants) keep their values.
_KEEP_DATA_BYTES = 4096


class Shaped(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def shape(self) -> Sequence[int | str | None]: ...


def named_dim_sizes(inputs: Sequence[Shaped]) -> dict[str, int]:
    """One size per symbolic dimension name, so `batch` means the same in every input: 1 for
    batch-like names, 128 for sequence-like names, 1 for other names seen on axis 0, 224 for
    the spatial axes of images, 16 otherwise."""
    sizes: dict[str, int] = {}
    on_axis0 = {s.shape[0] for s in inputs if s.shape and isinstance(s.shape[0], str)}
    for spec in inputs:
        for axis, dim in enumerate(spec.shape):
            if not isinstance(dim, str) or dim in sizes:
                continue
            name = dim.lower()
            if name in _BATCH_WORDS or "batch" in name:
                sizes[dim] = 1
            elif any(word in name for word in _SEQUENCE_WORDS):
                sizes[dim] = 128
            elif dim in on_axis0:
                sizes[dim] = 1
            elif len(spec.shape) == 4 and axis >= 2:
                sizes[dim] = 224
            else:
                sizes[dim] = 16
    return sizes


def default_dim(rank: int, axis: int) -> int:
    """A size for an unnamed dynamic dimension."""
    if axis == 0:
        return 1
    return 224 if rank == 4 and axis >= 2 else 16


def guessed_shape(spec: Shaped, named: Mapping[str, int]) -> list[int]:
    """`spec`'s shape with every dynamic dimension sized by the rules above."""
    shape = []
    for axis, dim in enumerate(spec.shape):
        if isinstance(dim, int) and dim > 0:
            shape.append(dim)
        elif isinstance(dim, str) and dim in named:
            shape.append(named[dim])
        else:
            shape.append(default_dim(len(spec.shape), axis))
    return shape


def resolve_input_shapes(
    inputs: Sequence[Shaped],
    configured: Mapping[str, Sequence[int]],
    data_shapes: Mapping[str, tuple[int, ...]],
    examples: int | None = None,
    batch_size: int | None = None,
) -> dict[str, list[int]]:
    """The shapes one inference runs at, by the rules the latency inputs follow: eval data
    (its first batch), else the config's `inputs:`, else the sizing rules above."""
    named = named_dim_sizes(inputs)
    shapes = {}
    for spec in inputs:
        if spec.name in data_shapes:
            shape = list(data_shapes[spec.name])
            first = spec.shape[0] if spec.shape else None
            fixed = isinstance(first, int) and first > 0
            if batch_size and shape and shape[0] == examples and len(shape) == len(spec.shape):
                # stacked examples are fed a batch per call: the model's fixed batch, else
                # the configured size (one example when none is configured)
                shape[0] = int(first) if fixed else min(batch_size, shape[0])  # type: ignore[arg-type]
            shapes[spec.name] = shape
        elif spec.name in configured:
            shapes[spec.name] = [int(d) for d in configured[spec.name]]
        else:
            shapes[spec.name] = guessed_shape(spec, named)
    return shapes


@dataclass(frozen=True)
class TensorShape:
    dtype: int  # onnx.TensorProto element type (0: unknown)
    shape: tuple[int, ...] | None  # None: not known concretely


def _light_copy(proto: onnx.ModelProto) -> onnx.ModelProto:
    """The model without the data of its large initializers (shape inference reads dims)."""
    light = onnx.ModelProto()
    light.CopyFrom(proto)
    for tensor in light.graph.initializer:
        if tensor.HasField("raw_data") and len(tensor.raw_data) > _KEEP_DATA_BYTES:
            tensor.ClearField("raw_data")
            tensor.data_location = onnx.TensorProto.EXTERNAL
            entry = tensor.external_data.add()
            entry.key, entry.value = "location", "(dropped for shape inference)"
    return light


def _set_inputs(graph: onnx.GraphProto, shapes: Mapping[str, Sequence[int]]) -> None:
    for value in graph.input:
        if value.name not in shapes or value.type.WhichOneof("value") != "tensor_type":
            continue
        dims = value.type.tensor_type.shape.dim
        del dims[:]
        for size in shapes[value.name]:
            dims.add().dim_value = int(size)


def _concrete(value: onnx.ValueInfoProto) -> TensorShape:
    if value.type.WhichOneof("value") != "tensor_type":
        return TensorShape(0, None)
    tensor = value.type.tensor_type
    if not tensor.HasField("shape"):
        return TensorShape(tensor.elem_type, None)
    dims = []
    for dim in tensor.shape.dim:
        if not dim.HasField("dim_value") or dim.dim_value < 0:
            return TensorShape(tensor.elem_type, None)
        dims.append(int(dim.dim_value))
    return TensorShape(tensor.elem_type, tuple(dims))


def infer_tensor_shapes(
    proto: onnx.ModelProto, input_shapes: Mapping[str, Sequence[int]]
) -> tuple[dict[str, TensorShape], str]:
    """Shape and dtype of every value of the main graph at `input_shapes`, and why inference
    did not run (empty when it did). Values it could not size have `shape=None`."""
    light = _light_copy(proto)
    _set_inputs(light.graph, input_shapes)
    problem = ""
    try:
        light = shape_inference.infer_shapes(light, check_type=False, data_prop=True)
    except Exception as exc:  # onnx raises several types; any failure leaves shapes unknown
        problem = f"shape inference failed: {' '.join(str(exc).split())[:200]}"
    graph = light.graph
    found = {
        t.name: TensorShape(t.data_type, tuple(int(d) for d in t.dims)) for t in graph.initializer
    }
    for value in (*graph.input, *graph.value_info, *graph.output):
        known = found.get(value.name)
        if known is None or known.shape is None:
            found[value.name] = _concrete(value)
    return found, problem
