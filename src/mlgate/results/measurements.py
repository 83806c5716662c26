"""What the bench layer measured for one model pair on one target: plain records, filled by
bench/ and judged by compare/. They sit at the bottom so that measuring never imports the
verdict logic that reads them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# A latency stop rule's answers: go on (0), decided (1: stop once the minimum segments are
# in), decisive (2: an interval wholly beyond the threshold stops the sampler early).
DECISIVE = 2


@dataclass(frozen=True)
class Fidelity:
    max_abs_diff: float | None = None
    cosine: float | None = None
    top1_agreement: float | None = None
    relative_diff: float | None = None  # max abs diff over the base output's range
    inputs: str = "eval"  # what the outputs were compared on: eval | synthetic


@dataclass(frozen=True)
class Memory:
    session_bytes: int
    peak_bytes: int
    inference_bytes: int = 0


@dataclass(frozen=True)
class MeasuredEnergy:
    """Joules per inference per measurement window (paired: window i of base and of head)."""

    method: str  # rapl | nvml | estimated
    detail: str
    base: np.ndarray
    head: np.ndarray


@dataclass(frozen=True)
class StaticCost:
    """Counted from the graphs, base and head, at the same input shapes."""

    macs: tuple[int, int]
    energy_proxy: tuple[float, float]
    proxy_version: str
    uncounted: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Pricing:
    """Per target, from the config: what a runner hour costs and the grid's intensity."""

    price_per_hour: float | None = None
    carbon_intensity: float | None = None  # gCO2e per kWh


@dataclass(frozen=True)
class Measured:
    """Everything measured for one model pair on one target."""

    size: tuple[int, int]
    params: tuple[int, int]
    eval_metric: str | None = None  # None: no eval data
    accuracy: tuple[float, float] | None = None  # None: no labels (or metric `fidelity`)
    # Per-example scores of base and head on the same examples (paired tests), and whether
    # they are right/wrong (top-1, top-k) rather than continuous (mse, mae, cosine).
    accuracy_scores: tuple[np.ndarray, np.ndarray] | None = None
    accuracy_binary: bool = False
    fidelity: Fidelity | None = None
    memory: tuple[Memory | str, Memory | str] | None = None  # str: why it is missing
    latency_base: np.ndarray | None = None  # paired seconds per run
    latency_head: np.ndarray | None = None
    latency_segment: np.ndarray | None = None  # segment (session pair) of each pair
    latency_seconds_per_segment: float | None = None  # what one more segment would cost
    examples_per_run: int = 1
    static: StaticCost | None = None
    energy: MeasuredEnergy | None = None
    pricing: Pricing = Pricing()
    notes: list[str] = field(default_factory=list)
