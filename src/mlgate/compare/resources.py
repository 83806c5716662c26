"""Observations of what running a model takes: memory, the static MAC and energy proxy,
measured energy, and dollars and grams CO2e per million inferences. Pure."""

from __future__ import annotations

import numpy as np

from mlgate.compare import stats
from mlgate.compare.metrics import METRICS
from mlgate.compare.rules import Observation
from mlgate.results.measurements import Measured

MIN_ENERGY_WINDOWS = 4


def memory_observations(m: Measured) -> list[Observation]:
    if m.memory is None:
        return []
    base, head = m.memory
    if isinstance(base, str) or isinstance(head, str):
        reason = base if isinstance(base, str) else head
        return [
            Observation(METRICS["memory.peak"], None, None, note=str(reason)),
        ]
    return [
        Observation(METRICS["memory.peak"], base.peak_bytes, head.peak_bytes),
        Observation(METRICS["memory.session"], base.session_bytes, head.session_bytes),
        Observation(METRICS["memory.inference"], base.inference_bytes, head.inference_bytes),
    ]


def static_observations(m: Measured) -> list[Observation]:
    if m.static is None:
        return []
    s = m.static
    uncounted = ""
    if any(s.uncounted):
        # a lower bound on each side, by different amounts: their ratio says nothing
        uncounted = (
            f"ops the proxy cannot count (base/head: {s.uncounted[0]}/{s.uncounted[1]}), so "
            "each side is a lower bound"
        )
    return [
        Observation(METRICS["macs"], s.macs[0], s.macs[1], method="static", not_gated=uncounted),
        Observation(
            METRICS["energy_proxy"],
            s.energy_proxy[0],
            s.energy_proxy[1],
            method="static",
            not_gated=uncounted,
            source=f"proxy: {s.proxy_version}",
        ),
    ]


def energy_observation(m: Measured, confidence: float) -> list[Observation]:
    if m.energy is None:
        return []
    e = m.energy
    source = f"{e.method}: {e.detail}"
    # CPU time x watts is latency in other units: gating it would count one signal twice.
    same_signal = (
        "estimated from CPU time, the same signal as latency (gated there, not twice)"
        if e.method == "estimated"
        else ""
    )
    paired = stats.paired_mean_ratio(e.base, e.head, confidence)
    if paired is None:
        return [
            Observation(
                METRICS["energy"],
                float(np.mean(e.base)) if e.base.size else None,
                float(np.mean(e.head)) if e.head.size else None,
                method="sampled",
                not_gated=same_signal,
                undecided="the meter did not advance in every window",
                source=source,
            )
        ]
    estimate, p_value = paired
    undecided = ""
    if estimate.n < MIN_ENERGY_WINDOWS:
        undecided = f"only {estimate.n} windows (need {MIN_ENERGY_WINDOWS})"
    return [
        Observation(
            METRICS["energy"],
            estimate.base,
            estimate.head,
            estimate=estimate,
            p_value=p_value,
            not_gated=same_signal,
            undecided=undecided,
            method="sampled",
            source=source,
        )
    ]


def _joules_per_inference(m: Measured) -> tuple[tuple[float, float], str] | None:
    """The best energy figure there is: measured, else the static proxy (a lower bound)."""
    if m.energy is not None and m.energy.base.size and m.energy.head.size:
        source = f"{m.energy.method} energy"
        return (float(np.mean(m.energy.base)), float(np.mean(m.energy.head))), source
    if m.static is not None:
        return m.static.energy_proxy, f"{m.static.proxy_version} proxy energy (a lower bound)"
    return None


def cost_observations(m: Measured) -> list[Observation]:
    """Dollars and grams CO2e per million inferences, from the median latency and energy."""
    found = []
    price = m.pricing.price_per_hour
    if price is not None and m.latency_base is not None and m.latency_head is not None:
        per_million = price / 3600.0 * 1e6
        found.append(
            Observation(
                METRICS["cost"],
                float(np.median(m.latency_base)) * per_million,
                float(np.median(m.latency_head)) * per_million,
                source=f"{price:g} $/h × median latency",
            )
        )
    intensity = m.pricing.carbon_intensity
    joules = _joules_per_inference(m)
    if intensity is not None and joules is not None:
        (base, head), what = joules
        grams_per_joule_million = intensity / 3.6e6 * 1e6
        found.append(
            Observation(
                METRICS["carbon"],
                base * grams_per_joule_million,
                head * grams_per_joule_million,
                source=f"{intensity:g} gCO₂e/kWh × {what}",
            )
        )
    return found
