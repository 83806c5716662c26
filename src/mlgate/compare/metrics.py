"""The catalog of gated metrics: name, unit, direction, default threshold, noise floor."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MetricSpec:
    name: str
    unit: str  # "fraction", "score", "s", "bytes", "count", "macs", "1/s", "J", "usd", "gco2e"
    higher_is_better: bool
    default_threshold: str | None
    description: str
    # Changes smaller than this (in the metric's unit) never fail: measurement granularity.
    noise_floor: float = 0.0
    sampled: bool = False  # comes with a confidence interval from repeated timing


_MIB = 1024 * 1024
# onnxruntime's CPU arena grows in chunks: the same model measured in two fresh processes
# was seen to differ by exactly 4 MiB (32 MiB of weights). Memory changes under 8 MiB never fail.

METRICS: dict[str, MetricSpec] = {
    spec.name: spec
    for spec in (
        MetricSpec(
            "accuracy",
            "fraction",
            True,
            "-0.5pp",
            "task metric on the eval set (top-1/top-k accuracy, cosine; MSE/MAE: lower is better)",
        ),
        MetricSpec(
            "fidelity.top1_agreement", "fraction", True, None, "head vs base top-1 agreement"
        ),
        MetricSpec("fidelity.cosine", "score", True, None, "head vs base output cosine"),
        MetricSpec(
            "fidelity.relative_diff",
            "score",
            False,
            None,
            "largest head vs base output diff over the base output's range (worst output)",
        ),
        MetricSpec(
            "fidelity.max_abs_diff", "score", False, None, "largest head vs base output diff"
        ),
        MetricSpec("latency.p50", "s", False, "+5%", "median latency", sampled=True),
        MetricSpec("latency.p90", "s", False, "+10%", "90th percentile latency", sampled=True),
        MetricSpec("latency.p99", "s", False, None, "99th percentile latency", sampled=True),
        MetricSpec("throughput", "1/s", True, None, "examples per second at the latency batch"),
        MetricSpec(
            "memory.peak",
            "bytes",
            False,
            "+10%",
            "peak resident memory added by session creation and inference",
            noise_floor=8 * _MIB,
        ),
        MetricSpec(
            "memory.inference",
            "bytes",
            False,
            None,
            "peak resident memory added by inference, above the open session",
            noise_floor=8 * _MIB,
        ),
        MetricSpec(
            "memory.session",
            "bytes",
            False,
            None,
            "peak resident memory added by session creation",
            noise_floor=8 * _MIB,
        ),
        MetricSpec("size", "bytes", False, "+10%", "model file size, external data included"),
        MetricSpec("params", "count", False, None, "parameter count (initializer elements)"),
        MetricSpec("macs", "macs", False, None, "multiply-accumulates per inference (static)"),
        MetricSpec(
            "energy_proxy",
            "J",
            False,
            "+5%",
            "static data-movement and arithmetic energy per inference (versioned constants)",
        ),
        MetricSpec(
            "energy",
            "J",
            False,
            "+10%",
            "measured (RAPL, NVML) or estimated (CPU time x W/core) energy per inference",
            sampled=True,
        ),
        MetricSpec(
            "pytest_benchmark",
            "s",
            False,
            "+10%",
            "each benchmark of --pytest-benchmark BASE.json HEAD.json (mean or median time)",
            sampled=True,
        ),
        MetricSpec("cost", "usd", False, None, "runner cost per million inferences"),
        MetricSpec("carbon", "gco2e", False, None, "grams CO2e per million inferences"),
    )
}

ERROR_METRICS = frozenset({"mse", "mae"})

# Without labels the gate cannot judge accuracy, but it can judge agreement with the base:
# these defaults pass a re-export or an fp16 cast (cosine ~1, diffs ~1e-6..1e-3 of the
# range) and fail a quantization that changes outputs (cosine 0.89, 87% agreement seen).
UNLABELLED_FIDELITY = {
    "fidelity.cosine": ">= 0.999",
    "fidelity.top1_agreement": ">= 0.99",
    "fidelity.relative_diff": "<= 0.05",
}


def default_thresholds(eval_metric: str | None = None, labelled: bool = True) -> dict[str, str]:
    """Thresholds applied when the config names none; error metrics gate relatively. With
    labels, accuracy decides and fidelity is shown (and judged only as a backstop when the
    eval set cannot decide accuracy); without, fidelity is gated."""
    thresholds = {
        name: spec.default_threshold
        for name, spec in METRICS.items()
        if spec.default_threshold is not None
    }
    if eval_metric in ERROR_METRICS:
        thresholds["accuracy"] = "+5%"
    thresholds.update(UNLABELLED_FIDELITY)
    return thresholds
