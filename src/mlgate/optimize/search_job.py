"""The search's records: what to search (the job and its settings), a candidate on its
way to the finals, and the outcome; and the rounding of the numbers a variant's row keeps."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlgate.bench.inputs import EvalData
from mlgate.bench.runtimes.base import LoadOptions, Runtime
from mlgate.bench.session import Target
from mlgate.optimize.build import Recipe
from mlgate.results.deployment import Deployment
from mlgate.results.schema import VariantResult


@dataclass(frozen=True)
class SearchSettings:
    budget_seconds: float = 300.0
    build_timeout_seconds: float = 120.0
    screen_seconds: float = 3.0
    final_seconds: float = 10.0
    finalists: int = 2
    min_speedup: float = 1.0
    confidence: float = 0.95
    tune_static: bool = True


@dataclass(frozen=True)
class SearchInput:
    path: Path
    display: str
    target: Target
    eval_data: EvalData | None
    metric: str
    output: str | None
    batch_size: int | None
    input_shapes: dict[str, list[int]] = field(default_factory=dict)
    runtimes: tuple[str, ...] | None = None  # None: every available one


@dataclass
class SearchOutcome:
    variants: list[VariantResult]
    recommended: str | None
    seconds: float
    not_tried: list[str]
    notes: list[str]
    best_path: Path | None = None
    recipe: list[dict[str, object]] = field(default_factory=list)  # the winner's passes
    deployment: Deployment | None = None  # how to run the recommended variant


@dataclass
class Candidate:
    """A variant within budget and not clearly slower; `index` is its row in the table."""

    name: str
    path: Path
    index: int
    screen_ratio: float
    runtime: Runtime
    options: LoadOptions
    recipe: Recipe | None = None  # None: a runtime plan (the original, or NNCF's int8)
    passes: list[str] = field(default_factory=list)
    open_seconds: float = 0.0  # loading it once (an OpenVINO compile can take seconds)


def rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


def rounded_pair(pair: tuple[float, float]) -> tuple[float, float]:
    return (round(pair[0], 4), round(pair[1], 4))
