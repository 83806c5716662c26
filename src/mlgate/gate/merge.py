"""`mlgate gate` and the Action's merge mode: merge every matrix job's `run.json` into one
verdict, one `run.json` and one comment; a target that did not report is marked missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mlgate.config import Config, load_config
from mlgate.error_handler import EXIT_BAD_INPUT, EXIT_PASS, EXIT_REGRESSION
from mlgate.errors import DataError
from mlgate.render.environment import render_run_comment, render_run_summary
from mlgate.results.merge import ExpectedTarget, merge_runs
from mlgate.results.schema import RunReport
from mlgate.results.store import read_run, write_results

RUN_FILE = "run.json"


@dataclass(frozen=True)
class MergeOptions:
    results_dir: Path
    config: Path | None = None
    comment_out: Path | None = None
    out: Path | None = None  # the merged run.json (default: results_dir/merged-run.json)
    loaded_config: Config | None = None  # instead of `config` (the Action: the base's)


@dataclass(frozen=True)
class MergeOutcome:
    exit_code: int
    report: RunReport
    summary: str
    written: list[Path] = field(default_factory=list)


def _expected(config: Config) -> list[ExpectedTarget]:
    return [ExpectedTarget(t.name, tuple(t.providers), t.allow_missing) for t in config.targets]


def merge_jobs(options: MergeOptions) -> MergeOutcome:
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
    return MergeOutcome(code, merged, render_run_summary(merged), written)
