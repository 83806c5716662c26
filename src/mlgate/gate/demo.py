"""`mlgate demo`: the full gate on a bundled real example.

A digits classifier (scikit-learn's bundled 8x8 digits, converted with skl2onnx) and a
"pull request" that makes it larger, slower and less accurate. The gate fails the PR, and
the release report made from the same results says "not ready to sign off"; the demo itself
succeeds and points at what it wrote."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from mlgate.gate.release import ReportOptions, ReportOutcome, report
from mlgate.gate.request import GateOutcome, GateRequest
from mlgate.gate.service import run_gate
from mlgate.progress import Progress

DEMO_FILES = ("base.onnx", "head.onnx", "eval.npz", "mlgate.yml")


@dataclass(frozen=True)
class DemoOutcome:
    exit_code: int
    compare: GateOutcome
    folder: Path
    report: ReportOutcome


def demo(
    out: Path, progress: Progress | None = None, budget_seconds: float | None = None
) -> DemoOutcome:
    out.mkdir(parents=True, exist_ok=True)
    bundled = resources.files("mlgate.demo")
    for name in DEMO_FILES:
        with resources.as_file(bundled / name) as file:
            shutil.copyfile(file, out / name)
    options = GateRequest(
        base=str(out / "base.onnx"),
        head=str(out / "head.onnx"),
        config=out / "mlgate.yml",
        json_out=out / "results.json",
        comment_out=out / "comment.md",
        budget_seconds=budget_seconds,
    )
    outcome = run_gate(options, progress)
    if outcome.error is not None:
        raise outcome.error
    report_dir = out / "report"
    shutil.rmtree(report_dir, ignore_errors=True)  # the last run's release-results.json
    released = report(ReportOptions(results=out, release="demo", out=report_dir))
    return DemoOutcome(exit_code=0, compare=outcome, folder=out, report=released)
