"""The runtimes the variant search may try, in an explicit registry (like optimize/passes.py's):
onnxruntime first, as it is the reference. A target's `runtimes` names which to try; by
default every one available here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mlgate.bench.runtimes.base import Runtime
from mlgate.bench.runtimes.onnxruntime import OnnxRuntime
from mlgate.bench.runtimes.openvino import OpenVino
from mlgate.bench.session import Target

REGISTRY: dict[str, Runtime] = {
    "onnxruntime": OnnxRuntime(),
    "openvino": OpenVino(),
}
REFERENCE = "onnxruntime"


@dataclass(frozen=True)
class Chosen:
    """The runtimes to try on a target, and those left out with the one-line reason."""

    runtimes: list[Runtime]
    unavailable: dict[str, str]


def choose(
    target: Target,
    names: Sequence[str] | None = None,
    registry: Mapping[str, Runtime] = REGISTRY,
) -> Chosen:
    """The named runtimes (None: every registered one) that can run on `target` here."""
    wanted = list(registry) if names is None else list(names)
    runtimes: list[Runtime] = []
    unavailable: dict[str, str] = {}
    for name in wanted:
        runtime = registry.get(name)
        if runtime is None:
            unavailable[name] = f"no runtime named {name} (known: {', '.join(registry)})"
            continue
        reason = runtime.available(target)
        if reason is None:
            runtimes.append(runtime)
        else:
            unavailable[name] = reason
    return Chosen(runtimes, unavailable)
