"""What one gate run is asked to do (one base and head model pair), and what it gives back.
Every front end fills a `GateRequest`: `mlgate compare` from its arguments, `mlgate check`
and the Action once per changed model, the demo from its bundled files."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from mlgate.compare.waivers import Waiver
from mlgate.config import LoadedConfig
from mlgate.model.source import ModelRef
from mlgate.results.schema import Results


@dataclass(frozen=True)
class GateRequest:
    base: ModelRef  # a path, a `GitPath` (check: always for the base), or `REV:path` as typed
    head: ModelRef
    data: Path | None = None
    config: Path | None = None
    json_out: Path | None = None
    comment_out: Path | None = None
    thresholds: dict[str, str] = field(default_factory=dict)
    targets: tuple[str, ...] = ()
    budget_seconds: float | None = None
    measure_memory: bool = True
    optimize: bool = True  # the variant search (also off with MLGATE_OPTIMIZE=0)
    search_budget: float | None = None  # seconds for the search (0: off; None: the config's)
    cache_dir: Path | None = None  # where search results are kept between runs (None: not)
    loaded_config: LoadedConfig | None = None  # already read (the Action reads the base's)
    git_dir: Path | None = None  # where `REV:path` references are read from (default: cwd)
    label: str | None = None  # the model's name in reports (default: `head`)
    pytest_benchmark: tuple[Path, Path] | None = None  # base and head --benchmark-json files
    waivers_path: Path | None = None  # default: mlgate-waivers.yml beside the config, if any
    waivers: tuple[Waiver, ...] | None = None  # already read (the Action reads the base's)
    today: datetime.date | None = None  # for waiver expiry (default: today, UTC)


@dataclass(frozen=True)
class GateOutcome:
    """The (possibly partial) results, the exit code they call for, and the error that
    stopped the run (bad input or a bug), which the front end reports."""

    exit_code: int
    results: Results
    summary: str
    written: list[Path]
    error: Exception | None = None
