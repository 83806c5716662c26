"""Fidelity judging: a variant's outputs against the original's on the eval inputs (task
metric, max abs diff, cosine, top-1 agreement), within an accuracy budget; a variant outside
it is rejected with the number that rejected it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlgate.bench.accuracy import Output, collect_outputs, fidelity, pick_output, task_metric
from mlgate.bench.inputs import Batch
from mlgate.bench.runtimes.base import Runner
from mlgate.bench.session import open_session
from mlgate.optimize.search_job import SearchInput


@dataclass(frozen=True)
class Budget:
    """The accuracy budget a variant must stay within, against the original model."""

    min_cosine: float = 0.99
    max_accuracy_drop: float = 0.005  # fraction: 0.005 = 0.5 points
    max_relative_diff: float | None = 0.5  # max abs diff / the original's value range

    def describe(self) -> str:
        parts = [
            f"cosine ≥ {self.min_cosine:g}",
            f"accuracy drop ≤ {self.max_accuracy_drop * 100:g} pt",
        ]
        if self.max_relative_diff is not None:
            parts.append(f"max abs diff ≤ {self.max_relative_diff:g} × output range")
        return ", ".join(parts)


def outputs(
    path: Path, job: SearchInput, batches: list[Batch], runner: Runner | None = None
) -> list[Output]:
    """Outputs of the eval batches: of `runner`, else of `path` under the reference."""
    session = runner if runner is not None else open_session(path, job.target, job.display)
    return collect_outputs(session, batches)


def relative_diff(original: list[Output], variant: list[Output]) -> float | None:
    worst = None
    for o, v in zip(original, variant, strict=False):
        a, b = o.joined(), v.joined()
        if a.shape != b.shape or a.dtype.kind != "f" or b.dtype.kind != "f" or not a.size:
            continue
        spread = float(np.max(a) - np.min(a)) or 1.0
        value = float(np.max(np.abs(a.astype(np.float64) - b))) / spread
        worst = value if worst is None else max(worst, value)
    return worst


def judge_fidelity(
    original: list[Output], variant: list[Output], job: SearchInput, budget: Budget,
    labels: np.ndarray | None,
) -> tuple[dict[str, float | None], str]:  # fmt: skip
    """The fidelity numbers, and the reason for rejection ("" within budget)."""
    numbers = fidelity(original, variant, job.output)
    found: dict[str, float | None] = {
        "cosine": numbers.cosine,
        "max_abs_diff": numbers.max_abs_diff,
        "top1_agreement": numbers.top1_agreement,
        "accuracy_change": None,
    }
    if labels is not None and job.metric not in ("fidelity",):
        before = task_metric(job.metric, pick_output(original, job.output, job.display), labels)
        after = task_metric(job.metric, pick_output(variant, job.output, job.display), labels)
        found["accuracy_change"] = after - before
        lower_better = job.metric in ("mse", "mae")
        drop = (after - before) / (abs(before) or 1.0) if lower_better else before - after
        if drop > budget.max_accuracy_drop:
            what = f"{job.metric} {after:.4g} vs {before:.4g}"
            return found, f"accuracy: {what} (budget {budget.max_accuracy_drop:.1%} drop)"
    if numbers.cosine is not None and numbers.cosine < budget.min_cosine:
        return found, f"cosine {numbers.cosine:.4f} < {budget.min_cosine:g}"
    relative = relative_diff(original, variant)
    limit = budget.max_relative_diff
    if limit is not None and relative is not None and relative > limit:
        return found, (
            f"max abs diff {numbers.max_abs_diff:.3g} is {relative:.0%} of the output's "
            "range: local disagreement a mean cosine hides"
        )
    return found, ""
