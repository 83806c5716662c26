"""The models a gate run judges: loaded, validated against the limits, and profiled (their
record in the results, with the compute profile at the input shapes latency uses)."""

from __future__ import annotations

from mlgate.bench.inputs import EvalData, example_count
from mlgate.bench.shape_probe import probe_shapes
from mlgate.config import Config, ModelConfig
from mlgate.model.load import LoadedModel, RuntimeLimits, load_model
from mlgate.model.profile import compute_info, compute_profile, profile_model
from mlgate.model.safety import check_activation_memory, check_declared_memory, check_domains
from mlgate.model.shapes import TensorShape, resolve_input_shapes
from mlgate.model.source import ModelSource
from mlgate.results.schema import ModelInfo


def model_info(
    model: LoadedModel,
    model_config: ModelConfig,
    data: EvalData | None,
    memory_mb: int = 0,
) -> tuple[ModelInfo, int]:
    """The model's record in the results, with its compute profile at the input shapes
    that latency uses (eval data's first batch, configured shapes, else guessed)."""
    profile = profile_model(model.proto)
    data_shapes = {name: tuple(a.shape) for name, a in data.arrays.items()} if data else {}
    shapes = resolve_input_shapes(
        profile.inputs,
        model_config.inputs,
        data_shapes,
        example_count(data) if data else None,
        model_config.eval.batch_size or 1,  # latency times one example per call by default
    )
    check_declared_memory(model.display, profile.weight_bytes, profile.inputs, shapes, memory_mb)
    known = {t.name for t in model.proto.graph.initializer} | set(shapes)

    def guard(tensors: dict[str, TensorShape]) -> None:
        check_activation_memory(model.display, profile.weight_bytes, tensors, known, memory_mb)

    compute = compute_profile(model.proto, shapes, profile.weight_bytes, probe_shapes, guard)
    info = ModelInfo(
        path=model.display,
        sha256=model.sha256,
        size_bytes=model.size_bytes,
        ir_version=int(model.proto.ir_version),
        opsets=profile.opsets,
        producer=profile.producer,
        params=profile.params,
        inputs=profile.inputs,
        outputs=profile.outputs,
        bytes_by_dtype=profile.bytes_by_dtype,
        op_counts=profile.op_counts,
        compute=compute_info(compute),
    )
    return info, profile.params


def load_checked(resolved: ModelSource, config: Config, limits: RuntimeLimits) -> LoadedModel:
    """One side's model, within the size limit and the allowed operator domains."""
    model = load_model(resolved.local, limits, resolved.display, config.limits.model_size_mb)
    check_domains(model.proto, model.display, config.limits.allow_domains)
    return model
