"""Refusals that protect the runner from a hostile model before anything is allocated or
loaded into the runtime: custom op domains, and declared shapes or weights larger than the
memory limit. (External data paths and file sizes are checked in `load`.)"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import onnx

from mlgate.errors import ModelError
from mlgate.model.load import iter_graphs
from mlgate.model.profile import itemsize
from mlgate.model.shapes import TensorShape
from mlgate.results.schema import TensorSpec

# Domains onnxruntime implements itself; anything else needs a custom-op library.
STANDARD_DOMAINS = frozenset({"", "ai.onnx", "ai.onnx.ml", "com.microsoft"})
_MB = 1024 * 1024


def check_domains(proto: onnx.ModelProto, display: str, allowed: Iterable[str] = ()) -> None:
    """Refuse op domains outside the standard ones unless the config allows them."""
    accepted = STANDARD_DOMAINS | set(allowed)
    found: dict[str, set[str]] = {}
    for graph in iter_graphs(proto.graph):
        for node in graph.node:
            if node.domain not in accepted:
                found.setdefault(node.domain, set()).add(node.op_type)
    if found:
        domain, ops = sorted(found.items())[0]
        raise ModelError(
            f"{display} uses custom op domain '{domain}' ({', '.join(sorted(ops)[:5])}); custom "
            "ops are refused for untrusted models: add the domain to limits.allow_domains in "
            "mlgate.yml if you trust it (onnxruntime also needs its kernels)"
        )


def _itemsize(dtype: str) -> int:
    """Bytes per element of a signature dtype name ("float", "int64"); 8 when unknown."""
    try:
        return itemsize(onnx.TensorProto.DataType.Value(dtype.upper())) or 8
    except ValueError:
        return 8


def check_declared_memory(
    display: str,
    weight_bytes: int,
    inputs: Sequence[TensorSpec],
    shapes: Mapping[str, Sequence[int]],
    memory_mb: int,
) -> None:
    """Refuse a model whose weights plus inputs at `shapes` exceed `memory_mb` (0: no limit),
    before any input is allocated or the runtime opens it."""
    if memory_mb <= 0:
        return
    dtypes = {spec.name: spec.dtype for spec in inputs}
    input_bytes = sum(
        int(np.prod(shape, dtype=np.float64)) * _itemsize(dtypes.get(name, "float"))
        for name, shape in shapes.items()
    )
    total = weight_bytes + input_bytes
    if total > memory_mb * _MB:
        biggest = max(shapes.items(), key=lambda kv: float(np.prod(kv[1], dtype=np.float64)))
        raise ModelError(
            f"{display} declares {total / _MB:,.0f} MB of weights and inputs (input "
            f"'{biggest[0]}' {list(biggest[1])}), over limits.memory_mb ({memory_mb:,} MB); "
            "set smaller shapes under `inputs:` or raise limits.memory_mb if intended"
        )


def _tensor_bytes(tensor: TensorShape) -> float:
    count = float(np.prod(tensor.shape, dtype=np.float64)) if tensor.shape is not None else 0.0
    return count * (itemsize(tensor.dtype) or 8)


def check_activation_memory(
    display: str,
    weight_bytes: int,
    shapes: Mapping[str, TensorShape],
    skip: Iterable[str],
    memory_mb: int,
) -> None:
    """Refuse a model one of whose computed tensors (at the inferred shapes) would not fit
    `memory_mb` beside the weights: e.g. ConstantOfShape or Expand to a constant
    [100000, 100000], or a Resize that scales up 1000x. `skip`: the weights and inputs,
    counted by `check_declared_memory`. Unsized tensors are left to the child's limit."""
    if memory_mb <= 0:
        return
    skipped = set(skip)
    sized = [(name, t) for name, t in shapes.items() if name not in skipped and t.shape]
    if not sized:
        return
    name, biggest = max(sized, key=lambda item: _tensor_bytes(item[1]))
    need = _tensor_bytes(biggest)
    if weight_bytes + need > memory_mb * _MB:
        raise ModelError(
            f"{display}: tensor '{name}' {list(biggest.shape or ())} would take "
            f"{need / _MB:,.0f} MB at these input shapes, over limits.memory_mb "
            f"({memory_mb:,} MB); set smaller shapes under `inputs:` or raise "
            "limits.memory_mb if intended"
        )
