"""A deterministic energy proxy: what one inference would cost in arithmetic and data movement
on a reference chip. Not a measurement: a number that moves when the model's work moves, with
zero noise, on any runner. Constants are versioned; a new table gets a new version name and
numbers of different versions are never compared.

`horowitz45-v1`: M. Horowitz, "Computing's energy problem (and what we can do about it)",
ISSCC 2014, 45 nm at 0.9 V, as tabulated by Han et al., "Learning both Weights and Connections
for Efficient Neural Networks", NeurIPS 2015:

    32-bit float add 0.9 pJ, mult 3.7 pJ   16-bit float add 0.4 pJ, mult 1.1 pJ
    32-bit int add 0.1 pJ, mult 3.1 pJ     8-bit int add 0.03 pJ, mult 0.2 pJ
    32-bit SRAM (cache) read 5 pJ          32-bit DRAM read 640 pJ

A MAC is one multiply and one add. Weights are read once from DRAM per inference; every
activation is written once and read by each consumer from on-chip memory (SRAM). Entries
marked (extrapolated) are not in the paper and are scaled from its neighbours."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

PROXY_VERSION = "horowitz45-v1"

PJ_PER_MAC = MappingProxyType(
    {
        "float64": 4 * 4.6,  # (extrapolated) ~4x float32
        "float32": 3.7 + 0.9,
        "float16": 1.1 + 0.4,
        "bfloat16": 1.1 + 0.4,  # (extrapolated) as float16
        "float8": 0.2 + 0.03,  # (extrapolated) as int8
        "int64": 4 * 3.2,  # (extrapolated) ~4x int32
        "int32": 3.1 + 0.1,
        "int16": (3.1 + 0.1) / 4,  # (extrapolated) multiplier energy ~ bits^2
        "int8": 0.2 + 0.03,
        "int4": (0.2 + 0.03) / 4,  # (extrapolated)
    }
)
PJ_PER_DRAM_BYTE = 640 / 4
PJ_PER_SRAM_BYTE = 5 / 4
_PJ = 1e-12


@dataclass(frozen=True)
class EnergyProxy:
    version: str
    joules: float  # per inference: compute + weights + activations
    compute_joules: float
    weight_joules: float
    activation_joules: float
    unpriced_macs: int  # MACs of a dtype the table has no entry for (priced as float32)


def energy_proxy(
    macs_by_dtype: dict[str, int], weight_bytes: int, activation_bytes: int
) -> EnergyProxy:
    """Joules per inference. Integer arithmetic first, one conversion at the end: the same
    inputs give the same float in every process."""
    unpriced = sum(m for d, m in macs_by_dtype.items() if d not in PJ_PER_MAC)
    compute_pj = sum(
        macs * PJ_PER_MAC.get(dtype, PJ_PER_MAC["float32"])
        for dtype, macs in sorted(macs_by_dtype.items())
    )
    weight_pj = weight_bytes * PJ_PER_DRAM_BYTE
    activation_pj = activation_bytes * PJ_PER_SRAM_BYTE
    return EnergyProxy(
        version=PROXY_VERSION,
        joules=(compute_pj + weight_pj + activation_pj) * _PJ,
        compute_joules=compute_pj * _PJ,
        weight_joules=weight_pj * _PJ,
        activation_joules=activation_pj * _PJ,
        unpriced_macs=unpriced,
    )
