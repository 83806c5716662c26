"""Shapes from a run: when onnx shape inference cannot size a tensor (reshapes computed at
run time, exporter quirks), run the model once on CPU with those tensors exposed as outputs
and read their real shapes. Graph optimizations are off so every tensor keeps its name.

Best effort: a model that will not run this way keeps the shapes inference found."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import onnx
import onnxruntime as ort

from mlgate.bench.inputs import synthetic_feeds
from mlgate.bench.session import InputSpec, session_options
from mlgate.model.load import external_locations
from mlgate.model.profile import index_bounds
from mlgate.model.shapes import TensorShape

MAX_PROBED = 20_000
_NUMPY_TO_ONNX = {
    "float32": onnx.TensorProto.FLOAT,
    "float16": onnx.TensorProto.FLOAT16,
    "float64": onnx.TensorProto.DOUBLE,
    "int8": onnx.TensorProto.INT8,
    "uint8": onnx.TensorProto.UINT8,
    "int16": onnx.TensorProto.INT16,
    "int32": onnx.TensorProto.INT32,
    "int64": onnx.TensorProto.INT64,
    "bool": onnx.TensorProto.BOOL,
}


def probe_shapes(
    proto: onnx.ModelProto, input_shapes: Mapping[str, Sequence[int]], names: Sequence[str]
) -> dict[str, TensorShape]:
    """Real shapes and dtypes of `names` in one run at `input_shapes` (synthetic inputs)."""
    if not names or external_locations(proto):
        return {}  # external weights are not in memory: the static shapes stand
    probe = onnx.ModelProto()
    probe.CopyFrom(proto)
    existing = {o.name for o in probe.graph.output}
    wanted = list(dict.fromkeys(names))[:MAX_PROBED]
    probe.graph.output.extend(onnx.ValueInfoProto(name=n) for n in wanted if n not in existing)
    options = session_options(1)
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    try:
        session = ort.InferenceSession(
            probe.SerializeToString(), sess_options=options, providers=["CPUExecutionProvider"]
        )
        specs = [InputSpec(i.name, i.type, tuple(i.shape)) for i in session.get_inputs()]
        feeds = synthetic_feeds(
            specs, {k: list(v) for k, v in input_shapes.items()}, "probe", index_bounds(proto)
        )
        outputs = session.run(wanted, feeds)
    except Exception:  # best effort: any failure leaves the static shapes as they were
        return {}
    found = {}
    for name, value in zip(wanted, outputs, strict=True):
        shape = getattr(value, "shape", None)
        dtype = _NUMPY_TO_ONNX.get(str(getattr(value, "dtype", "")), 0)
        if shape is not None:
            found[name] = TensorShape(dtype, tuple(int(d) for d in shape))
    return found
