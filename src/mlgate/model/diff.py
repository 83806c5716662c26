"""What changed in the graph between base and head: op counts, parameters, size, MACs, bytes
moved, energy proxy, signature. Pure, from the results' model records."""

from __future__ import annotations

from dataclasses import dataclass

from mlgate.results.schema import ModelInfo, TensorSpec

Pair = tuple[int, int]


@dataclass(frozen=True)
class OpDelta:
    op_type: str
    base: int
    head: int

    @property
    def delta(self) -> int:
        return self.head - self.base


@dataclass(frozen=True)
class GraphDiff:
    ops: list[OpDelta]  # op types whose count changed, biggest change first
    nodes: Pair
    params: Pair
    size: Pair
    weight_bytes_by_dtype: dict[str, Pair]  # dtypes whose bytes changed
    macs: Pair | None  # None: not counted on both models
    macs_by_dtype: dict[str, Pair]  # dtypes whose MACs changed
    activation_bytes: Pair | None
    energy_proxy: tuple[float, float] | None
    proxy_version: str
    uncounted: Pair
    signature: list[str]  # inputs/outputs added, removed or reshaped

    @property
    def unchanged(self) -> bool:
        return (
            not self.ops
            and self.params[0] == self.params[1]
            and not self.weight_bytes_by_dtype
            and not self.macs_by_dtype
            and not self.signature
        )


def _changed(base: dict[str, int], head: dict[str, int]) -> dict[str, Pair]:
    return {
        key: (base.get(key, 0), head.get(key, 0))
        for key in sorted(set(base) | set(head))
        if base.get(key, 0) != head.get(key, 0)
    }


def _signature(kind: str, base: list[TensorSpec], head: list[TensorSpec]) -> list[str]:
    before = {t.name: t for t in base}
    after = {t.name: t for t in head}
    lines = [f"{kind} '{n}' removed" for n in before if n not in after]
    lines += [f"{kind} '{n}' added" for n in after if n not in before]
    for name in before.keys() & after.keys():
        old, new = before[name], after[name]
        if (old.dtype, old.shape) != (new.dtype, new.shape):
            lines.append(
                f"{kind} '{name}' {old.dtype}{_shape(old.shape)} → {new.dtype}{_shape(new.shape)}"
            )
    return sorted(lines)


def _shape(shape: list[int | str | None]) -> str:
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def graph_diff(base: ModelInfo, head: ModelInfo) -> GraphDiff:
    ops = [OpDelta(op, b, h) for op, (b, h) in _changed(base.op_counts, head.op_counts).items()]
    ops.sort(key=lambda d: (-abs(d.delta), d.op_type))
    b, h = base.compute, head.compute
    counted = b is not None and h is not None
    return GraphDiff(
        ops=ops,
        nodes=(sum(base.op_counts.values()), sum(head.op_counts.values())),
        params=(base.params, head.params),
        size=(base.size_bytes, head.size_bytes),
        weight_bytes_by_dtype=_changed(base.bytes_by_dtype, head.bytes_by_dtype),
        macs=(b.macs, h.macs) if counted else None,  # type: ignore[union-attr]
        macs_by_dtype=_changed(b.macs_by_dtype, h.macs_by_dtype) if counted else {},  # type: ignore[union-attr]
        activation_bytes=(b.activation_bytes, h.activation_bytes) if counted else None,  # type: ignore[union-attr]
        energy_proxy=(b.energy_proxy.joules, h.energy_proxy.joules) if counted else None,  # type: ignore[union-attr]
        proxy_version=h.energy_proxy.version if h is not None else "",
        uncounted=(b.uncounted_total if b else 0, h.uncounted_total if h else 0),
        signature=_signature("input", base.inputs, head.inputs)
        + _signature("output", base.outputs, head.outputs),
    )
