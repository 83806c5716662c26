"""The target matrix: `mlgate plan` (the GitHub matrix to run), `mlgate bench` (one matrix
job: one target, every changed model) and `mlgate gate` (merge every job's results into one
verdict and one comment). Orchestration only."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from mlgate.config import DEFAULT_CONFIG_NAME, Config, load_config, parse_config
from mlgate.error_handler import EXIT_BAD_INPUT, EXIT_PASS, EXIT_REGRESSION
from mlgate.errors import DataError
from mlgate.gate.changed import CheckOptions, CheckOutcome, ConfigFrom, check
from mlgate.gate.changes import detect_changes
from mlgate.gate.files import GateFiles
from mlgate.git import merge_base, resolve_commit
from mlgate.progress import Progress
from mlgate.render.environment import render_run_comment, render_run_summary
from mlgate.results.merge import ExpectedTarget, merge_runs
from mlgate.results.schema import RunReport
from mlgate.results.store import read_run, write_results

RUN_FILE = "run.json"


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


@dataclass(frozen=True)
class GateOptions:
    results_dir: Path
    config: Path | None = None
    comment_out: Path | None = None
    out: Path | None = None  # the merged run.json (default: results_dir/merged-run.json)
    loaded_config: Config | None = None  # instead of `config` (the Action: the base's)


@dataclass(frozen=True)
class GateOutcome:
    exit_code: int
    report: RunReport
    summary: str
    written: list[Path] = field(default_factory=list)


def _expected(config: Config) -> list[ExpectedTarget]:
    return [ExpectedTarget(t.name, tuple(t.providers), t.allow_missing) for t in config.targets]


def gate(options: GateOptions) -> GateOutcome:
    """Merge every `run.json` under `results_dir` (schema-validated, same commits), mark
    missing targets, and write one report and one comment."""
    config = options.loaded_config or load_config(options.config)[0]
    out = options.out or options.results_dir / "merged-run.json"
    if not options.results_dir.is_dir():
        raise DataError(
            f"results folder {options.results_dir} does not exist: download the matrix jobs' "
            "artifacts into it (actions/download-artifact)"
        )
    files = sorted(p for p in options.results_dir.rglob(RUN_FILE) if p.resolve() != out.resolve())
    reports = [(str(path), read_run(path)) for path in files]
    merged = merge_runs(reports, _expected(config))
    write_results(merged, out)
    written = [out]
    if options.comment_out is not None:
        options.comment_out.write_text(render_run_comment(merged), encoding="utf-8")
        written.append(options.comment_out)
    code = {"fail": EXIT_REGRESSION, "error": EXIT_BAD_INPUT}.get(merged.verdict, EXIT_PASS)
    return GateOutcome(code, merged, render_run_summary(merged), written)


def plan_json(matrix: dict[str, object]) -> str:
    return json.dumps(matrix, separators=(",", ":")) + "\n"


def step_outputs(matrix: dict[str, object]) -> dict[str, str]:
    """`matrix` holds only `include` (any other key would become a matrix dimension)."""
    return {
        "matrix": json.dumps({"include": matrix["include"]}, separators=(",", ":")),
        "empty": "true" if matrix["empty"] else "false",
        "models": json.dumps(matrix["models"], separators=(",", ":")),
    }
