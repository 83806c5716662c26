"""One search's state and clock: the original's outputs and cost, the rows so far, the
candidates on their way to the finals, and the time left for trying more. A slow model gets
the time that enough A/B segments need (optimize/ab.py)."""

from __future__ import annotations

import functools
import time
from pathlib import Path

import numpy as np
import onnx

from mlgate.bench.accuracy import collect_outputs
from mlgate.bench.inputs import Batch, make_batches, synthetic_feeds
from mlgate.bench.runtimes.base import LoadOptions
from mlgate.bench.runtimes.registry import REFERENCE, REGISTRY, choose
from mlgate.bench.session import Session, open_session
from mlgate.errors import MlgateError
from mlgate.model.profile import index_bounds
from mlgate.optimize.ab import (
    DECIDING_SEGMENTS,
    SCREEN_SEGMENTS,
    ABResult,
    Opener,
    RunCost,
    ab_test,
)
from mlgate.optimize.fidelity import Budget
from mlgate.optimize.pass_api import PassContext
from mlgate.optimize.search_job import Candidate, SearchInput, SearchSettings
from mlgate.results.schema import VariantResult

MAX_CALIBRATION_EXAMPLES = 64


def eval_feeds(
    session: Session, job: SearchInput
) -> tuple[list[Batch], list[dict[str, np.ndarray]]]:
    """Eval batches for fidelity, and per-example feeds for calibration."""
    if job.eval_data is None:
        model = onnx.load(str(job.path), load_external_data=False)
        feeds = synthetic_feeds(session.inputs, job.input_shapes, job.display, index_bounds(model))
        return [Batch(feeds, None)], [feeds]
    batches = make_batches(job.eval_data, session.inputs, job.batch_size, job.display)
    try:
        singles = make_batches(job.eval_data, session.inputs, 1, job.display)
    except MlgateError:
        singles = batches
    return batches, [b.feeds for b in singles[:MAX_CALIBRATION_EXAMPLES]]


class SearchRun:
    """The state of one search and its clock."""

    def __init__(
        self, job: SearchInput, budget: Budget, settings: SearchSettings, workdir: Path
    ) -> None:
        self.job, self.budget, self.settings, self.workdir = job, budget, settings, workdir
        self.started = time.monotonic()
        self.deadline = self.started + settings.budget_seconds
        self.variants: list[VariantResult] = []
        self.candidates: list[Candidate] = []
        self.not_tried: list[str] = []
        self.notes: list[str] = []
        self.count = 0
        self.unreadable: dict[str, str] = {}  # runtime -> the candidate that could not load
        session = open_session(job.path, job.target, job.display)
        self.batches, calibration = eval_feeds(session, job)
        self.labels = job.eval_data.labels if job.eval_data is not None else None
        self.original = collect_outputs(session, self.batches)
        self.timing_feeds = self.batches[0].feeds
        self.cost = RunCost.measure(job.path, job.target, job.display, self.timing_feeds)
        # A slow model gets the time that enough segments need (optimize/ab.py).
        self.screen_seconds = max(
            settings.screen_seconds, self.cost.seconds_for(SCREEN_SEGMENTS, 1)
        )
        self.final_seconds = max(
            settings.final_seconds, self.cost.seconds_for(DECIDING_SEGMENTS, 2)
        )
        self.context = PassContext(tuple(job.target.providers), calibration)
        self.reference = REGISTRY[REFERENCE]
        self.reference_options = LoadOptions.for_target(job.target)
        self.chosen = choose(job.target, job.runtimes)
        self.ort_variants = any(r.name == REFERENCE for r in self.chosen.runtimes)
        for name, reason in self.chosen.unavailable.items():
            self.notes.append(f"{name} not tried: {reason}")
        self.model = onnx.load(str(job.path), load_external_data=False)
        if job.eval_data is None:
            self.notes.append(
                "no eval data: fidelity and calibration use seeded synthetic inputs; give "
                "eval data for a meaningful int8 calibration"
            )

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def ab(
        self, variant: Path | Opener, seconds: float, blocks: int, cost: RunCost | None = None
    ) -> ABResult:
        return ab_test(
            self.job.path, variant, self.job.target, self.job.display, self.timing_feeds,
            seconds, blocks, self.settings.confidence, cost or self.cost,
        )  # fmt: skip

    def cost_of(self, trial: Candidate) -> RunCost:
        """The A/B's cost with this candidate: its loading may take longer than a session's."""
        return RunCost(max(self.cost.open_seconds, trial.open_seconds), self.cost.run_seconds)

    def record(self, result: VariantResult) -> int:
        self.variants.append(result)
        return len(self.variants) - 1

    def final_seconds_needed(self, candidate: Candidate) -> float:
        """The shortest final A/B that can decide: enough fresh pairs, one block each."""
        return max(1.0, self.cost_of(candidate).seconds_for(DECIDING_SEGMENTS, 1) / 1.2)

    def finalists(self) -> list[Candidate]:
        ranked = sorted(self.candidates, key=lambda c: c.screen_ratio)
        return [c for c in ranked if c.screen_ratio < 1.0][: self.settings.finalists]

    def spare(self) -> float:
        """Time left for trying more candidates: the finals of those that would reach them
        now are kept back, so a candidate that screened faster is never left undecided by
        a later build (an NNCF quantization can take a minute)."""
        kept = sum(self.final_seconds_needed(c) for c in self.finalists())
        return self.remaining() - kept

    def build_timeout(self) -> float:
        return min(self.settings.build_timeout_seconds, max(self.spare() - 1, 1))

    def may_try(self, name: str) -> bool:
        """Time is left for one more candidate (else it is listed as not tried)."""
        if self.spare() < self.screen_seconds + 1:
            self.not_tried.append(name)
            return False
        return True

    def opener(self, trial: Candidate) -> Opener:
        return functools.partial(trial.runtime.load, trial.path, trial.options, self.job.display)
