"""Seeded paired latency samples (seconds per call) with a known head/base shift, split into
session segments: the input of the latency observations and the stop rule."""

from __future__ import annotations

import numpy as np

from mlgate.results.measurements import Measured


def samples(
    pairs: int, segments: int, shift: float, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    base = 1e-3 * rng.lognormal(0.0, 0.02, pairs)
    head = base * shift * rng.lognormal(0.0, 0.005, pairs)
    segment = np.arange(pairs) * segments // pairs
    return base, head, segment


def measured(pairs: int, segments: int, shift: float, **extra: object) -> Measured:
    base, head, segment = samples(pairs, segments, shift)
    return Measured(
        size=(1, 1),
        params=(1, 1),
        latency_base=base,
        latency_head=head,
        latency_segment=segment,
        **extra,  # type: ignore[arg-type]
    )
