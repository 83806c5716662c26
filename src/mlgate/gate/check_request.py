"""What a run over every changed model is asked (`mlgate check`, `mlgate bench`, the Action's
gate mode) and what it gives back: the run report, where it was written, the first error."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from mlgate.config import DEFAULT_CONFIG_NAME
from mlgate.results.schema import OnInconclusive, RunContextInfo, RunReport

ConfigFrom = Literal["base", "head", "worktree"]
RUN_FILE = "run.json"


@dataclass(frozen=True)
class CheckOptions:
    base: str  # a revision; the gate compares against merge-base(base, head)
    head: str = "HEAD"
    repo: Path = Path()
    results_dir: Path = Path("mlgate-results")
    model_globs: tuple[str, ...] = ()  # default: the config's `models` paths, else **/*.onnx
    config_path: str = DEFAULT_CONFIG_NAME  # repository-relative
    config_from: ConfigFrom = "worktree"  # "base" on pull requests: a PR cannot relax its gate
    thresholds: dict[str, str] = field(default_factory=dict)
    targets: tuple[str, ...] = ()
    budget_seconds: float | None = None
    measure_memory: bool = True
    optimize: bool = True
    search_budget: float | None = None  # seconds for the variant search (0: off)
    cache_dir: Path | None = None  # search results kept between runs (None: not kept)
    use_merge_base: bool = True
    on_inconclusive: OnInconclusive | None = None  # overrides the config's (Action input)
    context: RunContextInfo = field(default_factory=RunContextInfo)
    today: dt.date | None = None  # for waiver expiry (default: today, UTC)


@dataclass(frozen=True)
class CheckOutcome:
    exit_code: int
    report: RunReport
    run_file: Path
    error: Exception | None = None  # the first bad input (exit 2) or bug (exit 3)
