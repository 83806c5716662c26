"""The efficiency side of one comparison: the static costs of both models, which energy
meter a target gets (and why not), and the energy record for the results."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from mlgate.bench.energy_meters import POWERCAP_ROOT, Meter, find_meter
from mlgate.compare.stats import t_half_width
from mlgate.config import Config, TargetConfig
from mlgate.results.measurements import Measured, StaticCost
from mlgate.results.schema import EnergyInfo, ModelInfo


def static_cost(base: ModelInfo, head: ModelInfo) -> StaticCost | None:
    if base.compute is None or head.compute is None:
        return None
    b, h = base.compute, head.compute
    return StaticCost(
        macs=(b.macs, h.macs),
        energy_proxy=(b.energy_proxy.joules, h.energy_proxy.joules),
        proxy_version=h.energy_proxy.version,
        uncounted=(b.uncounted_total, h.uncounted_total),
    )


def energy_meter(config: Config, target: TargetConfig) -> tuple[Meter | None, str]:
    if not config.energy.measure:
        return None, ""
    root = Path(os.environ.get("MLGATE_POWERCAP_ROOT", str(POWERCAP_ROOT)))
    meter, reason = find_meter(tuple(target.providers), target.watts_per_core, root)
    if meter is None:
        return None, f"energy not measured: {reason}"
    if reason:
        return meter, f"no energy meter usable ({reason}); energy is {meter.method}"
    return meter, ""


def energy_info(config: Config, measured: Measured) -> EnergyInfo | None:
    energy = measured.energy
    if energy is None:
        return None
    confidence = config.latency.confidence

    def mean(values: np.ndarray) -> float | None:
        return float(np.mean(values)) if values.size else None

    return EnergyInfo(
        method=energy.method,  # type: ignore[arg-type]
        detail=energy.detail,
        windows=int(energy.head.size),
        window_seconds=config.energy.window_seconds,
        base_joules=mean(energy.base),
        head_joules=mean(energy.head),
        base_half_width=t_half_width(energy.base, confidence),
        head_half_width=t_half_width(energy.head, confidence),
    )
