"""Right-sizing: a deployment's latency and cost per million inferences at 1..N threads on
this target, and the cheapest thread count that meets a latency objective.

Every thread count is a session of its own, and all of them are timed in turn in one process
(`bench.arms`), so that load on a shared runner touches them alike; sessions are re-created
per segment. Cost counts the cores a call holds: threads × median latency, in core-seconds
per million calls, priced per core-hour where the target gives a price. A thread count meets
the objective when the upper end of its p90's interval is under it, misses when the lower
end is over it, and is undecided otherwise."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlgate.bench.arms import Runner, measure_arms
from mlgate.bench.deployed import open_deployed
from mlgate.compare.stats import clustered_quantile
from mlgate.results.deployment import Deployment
from mlgate.results.schema import RightSizing, SloStatus, ThreadLatency

MAX_ARMS = 6  # beyond this, powers of two and N


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def thread_counts(cores: int, cap: int) -> list[int]:
    """1..N (N = cores, at most `cap`); with many, 1, 2, 4, … and N."""
    top = max(1, min(cores, cap))
    if top <= MAX_ARMS:
        return list(range(1, top + 1))
    powers = [2**k for k in range(top.bit_length()) if 2**k < top]
    return [*powers, top]


@dataclass(frozen=True)
class Pricing:
    per_core_hour: float | None
    source: str

    @classmethod
    def of(cls, per_core_hour: float | None, per_hour: float | None, cores: int) -> Pricing:
        if per_core_hour is not None:
            return cls(per_core_hour, f"{per_core_hour:g} $ per core-hour")
        if per_hour is not None:
            share = per_hour / max(cores, 1)
            return cls(share, f"{per_hour:g} $/h over the runner's {cores} cores")
        return cls(None, "no price configured: cost in core-seconds")


def slo_status(interval: tuple[float, float] | None, p90_ms: float, slo_ms: float) -> SloStatus:
    low, high = interval if interval is not None else (p90_ms, p90_ms)
    if high < slo_ms:
        return "meets"
    if low > slo_ms:
        return "misses"
    return "undecided"


def cheapest(rows: list[ThreadLatency]) -> tuple[ThreadLatency | None, str]:
    """The cheapest row that meets the objective, and a note when a cheaper one is
    undecided (it might meet it too: a longer run would say)."""
    meeting = [r for r in rows if r.slo == "meets"]
    best = min(meeting, key=lambda r: r.core_seconds_per_million, default=None)
    limit = best.core_seconds_per_million if best is not None else float("inf")
    cheaper = [
        r.threads for r in rows if r.slo == "undecided" and r.core_seconds_per_million < limit
    ]
    note = ""
    if cheaper:
        counts = ", ".join(str(t) for t in cheaper)
        note = f"undecided at {counts} thread(s): the p90's interval straddles the objective"
    return best, note


def row_of(
    threads: int, times: np.ndarray, segments: np.ndarray, confidence: float,
    pricing: Pricing, slo_ms: float | None,
) -> ThreadLatency:  # fmt: skip
    p50 = float(np.median(times))
    p90, low, high = clustered_quantile(times, segments, 0.9, confidence, n_resamples=500)
    interval = (round(low * 1e3, 6), round(high * 1e3, 6)) if np.unique(segments).size > 1 else None
    core_seconds = threads * p50 * 1e6
    cost = None
    if pricing.per_core_hour is not None:
        cost = round(core_seconds / 3600.0 * pricing.per_core_hour, 6)
    return ThreadLatency(
        threads=threads,
        p50_ms=round(p50 * 1e3, 6),
        p90_ms=round(p90 * 1e3, 6),
        p90_ci_ms=interval,
        calls=int(times.size),
        core_seconds_per_million=round(core_seconds, 3),
        cost_per_million=cost,
        slo=slo_status(interval, p90 * 1e3, slo_ms) if slo_ms is not None else None,
    )


@dataclass(frozen=True)
class RightSizeJob:
    model: Path  # the deployment's model file
    deployment: Deployment
    subject: str
    display: str
    feeds: dict[str, np.ndarray]
    seconds: float
    max_threads: int
    pricing: Pricing
    slo_ms: float | None = None
    confidence: float = 0.95


def right_size(job: RightSizeJob, cores: int | None = None) -> RightSizing:
    cores = cores if cores is not None else available_cores()
    counts = thread_counts(cores, job.max_threads)

    def make(segment: int) -> list[Runner]:
        order = counts if segment % 2 == 0 else counts[::-1]
        opened = {
            t: open_deployed(job.model, job.deployment, job.display, t).runner(job.feeds)
            for t in order
        }
        return [opened[t] for t in counts]

    segment = max(job.seconds / 6, 0.05)
    samples = measure_arms(make, job.seconds, segment, min_segments=3)
    rows = [
        row_of(t, times, segs, job.confidence, job.pricing, job.slo_ms)
        for t, times, segs in zip(counts, samples.times, samples.segments, strict=True)
    ]
    best, note = cheapest(rows) if job.slo_ms is not None else (None, "")
    if job.slo_ms is not None and best is None and not note:
        note = f"no thread count meets {job.slo_ms:g} ms at p90 on this target"
    return RightSizing(
        subject=job.subject,
        runtime=job.deployment.runtime,
        cores=cores,
        rows=rows,
        seconds=round(samples.seconds, 2),
        segments=samples.segment_count,
        price_per_core_hour=job.pricing.per_core_hour,
        price_source=job.pricing.source,
        slo_ms=job.slo_ms,
        best_threads=best.threads if best is not None else None,
        note=note,
    )
