"""The target matrix: `mlgate plan` (the GitHub matrix to run) and `mlgate bench` (one matrix
job: one target, every changed model). Merging the jobs' results is `gate/merge.py`."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from mlgate.config import DEFAULT_CONFIG_NAME, Config, load_config, parse_config
from mlgate.gate.changed import check
from mlgate.gate.changes import detect_changes
from mlgate.gate.check_request import CheckOptions, CheckOutcome, ConfigFrom
from mlgate.gate.files import GateFiles
from mlgate.git import merge_base, resolve_commit
from mlgate.progress import Progress


@dataclass(frozen=True)
class PlanOptions:
    base: str
    head: str = "HEAD"
    repo: Path = Path()
    config: Path | None = None  # with config_from base/head: relative to the repository root
    model_globs: tuple[str, ...] = ()
    config_from: ConfigFrom = "worktree"  # "base" on pull requests: the PR cannot pick targets


def plan_config(options: PlanOptions, base: str, head: str) -> Config:
    """The config that picks the targets: the work tree's, or the one at the chosen commit
    (read from git objects; missing there: the defaults, as `bench` does)."""
    if options.config_from == "worktree":
        return load_config(options.config)[0]
    rev = base if options.config_from == "base" else head
    name = (options.config or Path(DEFAULT_CONFIG_NAME)).as_posix()
    text = GateFiles(options.repo, rev).text(name)
    where = f"{name} at {options.config_from} {rev[:7]}"
    return Config() if text is None else parse_config(text, where)


def plan(options: PlanOptions) -> dict[str, object]:
    """{"include": [...], "models": [...], "empty": bool}: the matrix GitHub runs."""
    head = resolve_commit(options.head, options.repo)
    base = merge_base(resolve_commit(options.base, options.repo), head, options.repo)
    config = plan_config(options, base, head)
    globs = options.model_globs or tuple(m.path for m in config.models) or ("**/*.onnx",)
    changes = [c for c in detect_changes(base, head, globs, options.repo) if c.gated]
    include = [
        {
            "target": target.name,
            "runs_on": target.runs_on,
            "providers": list(target.providers),
            "allow_missing": target.allow_missing,
        }
        for target in config.targets
    ]
    models = [c.path for c in changes]
    return {
        "include": include if models else [],
        "models": models,
        "empty": not models,
        "base_sha": base,
        "head_sha": head,
    }


def bench(options: CheckOptions, target: str, progress: Progress | None = None) -> CheckOutcome:
    """One matrix job: every changed model on `target`; results under `results_dir/target`."""
    return check(
        replace(options, targets=(target,), results_dir=options.results_dir / target), progress
    )


def plan_json(matrix: dict[str, object]) -> str:
    return json.dumps(matrix, separators=(",", ":")) + "\n"


def step_outputs(matrix: dict[str, object]) -> dict[str, str]:
    """`matrix` holds only `include` (any other key would become a matrix dimension)."""
    return {
        "matrix": json.dumps({"include": matrix["include"]}, separators=(",", ":")),
        "empty": "true" if matrix["empty"] else "false",
        "models": json.dumps(matrix["models"], separators=(",", ":")),
    }
