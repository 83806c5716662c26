"""What a gate run reports: the results as they grow (written out even when a later step
fails), the results file and PR comment it writes, and the one-paragraph summary."""

from __future__ import annotations

import datetime
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path

from mlgate.bench.environment import provenance
from mlgate.gate.request import GateRequest
from mlgate.render import environment as render
from mlgate.results.schema import (
    SCHEMA_VERSION,
    EvalInfo,
    ModelInfo,
    Results,
    RunReport,
    TargetResult,
)
from mlgate.results.store import write_results
from mlgate.results.verdicts import overall_verdict


@dataclass
class Partial:
    """What is known so far; written out even when a later step fails."""

    model: str
    reproduce: str
    base: ModelInfo | None = None
    head: ModelInfo | None = None
    eval: EvalInfo | None = None
    targets: list[TargetResult] = field(default_factory=list)
    # time.monotonic() when the run began (system-wide, so valid in the isolated child too):
    # the first target's bill counts from here, loading and profiling the models included
    started: float = field(default_factory=time.monotonic)

    def finish(self, errors: list[str]) -> Results:
        return Results(
            schema_version=SCHEMA_VERSION,
            created_at=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            verdict=overall_verdict(self.targets, errors),
            model=self.model,
            provenance=provenance(),
            base=self.base,
            head=self.head,
            eval=self.eval,
            targets=self.targets,
            errors=errors,
            reproduce=self.reproduce,
        )


def reproduce_command(request: GateRequest) -> str:
    words = ["mlgate", "compare", str(request.base), str(request.head)]
    if request.data is not None:
        words += ["--data", str(request.data)]
    if request.config is not None:
        words += ["--config", str(request.config)]
    config_path = request.loaded_config.path if request.loaded_config else None
    if config_path is not None:
        words += ["--config", config_path]
    for name, text in request.thresholds.items():
        words += ["--threshold", f"{name}={text}"]
    if request.pytest_benchmark is not None:
        words += ["--pytest-benchmark", *(str(p) for p in request.pytest_benchmark)]
    for name in request.targets:
        words += ["--target", name]
    return shlex.join(words)


def started(request: GateRequest) -> Partial:
    return Partial(model=request.label or str(request.head), reproduce=reproduce_command(request))


def write(results: Results, request: GateRequest) -> list[Path]:
    """The results JSON and the PR comment, where the request asks for them."""
    if request.json_out is not None:
        write_results(results, request.json_out)
    if request.comment_out is not None:
        request.comment_out.parent.mkdir(parents=True, exist_ok=True)
        request.comment_out.write_text(render.render_comment(results), encoding="utf-8")
    return [path for path in (request.json_out, request.comment_out) if path is not None]


def summary(results: Results) -> str:
    return render.render_summary(results)


def run_outputs(
    report: RunReport, run_file: Path, comment_out: Path | None
) -> tuple[str, list[Path]]:
    """A run over many models: its summary, and its comment written where asked; the files
    written (the comment, then `run.json`)."""
    written = [run_file]
    if comment_out is not None:
        comment_out.write_text(render.render_run_comment(report), encoding="utf-8")
        written.insert(0, comment_out)
    return render.render_run_summary(report), written
