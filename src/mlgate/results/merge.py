"""Merge the run reports of a target matrix (one `mlgate bench` job per target) into one
report: the same commits only, every expected target accounted for. A target whose job left
no results is marked explicitly: an error, or skipped where the config allows it. Pure."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from mlgate.errors import DataError
from mlgate.results.schema import Results, RunReport, TargetResult
from mlgate.results.verdicts import overall_verdict, run_verdict


@dataclass(frozen=True)
class ExpectedTarget:
    name: str
    providers: tuple[str, ...]
    allow_missing: bool = False


def _same_commits(reports: Sequence[tuple[str, RunReport]]) -> None:
    first_source, first = reports[0]
    for source, report in reports[1:]:
        a, b = first.context, report.context
        if (a.base_sha, a.head_sha, a.repository) != (b.base_sha, b.head_sha, b.repository):
            raise DataError(
                f"{source} was measured on base {b.base_sha[:7]} / head {b.head_sha[:7]}, but "
                f"{first_source} on base {a.base_sha[:7]} / head {a.head_sha[:7]}: results of "
                "different commits are never merged (re-run the whole matrix)"
            )


def combine(merged: Results, results: Results) -> Results:
    """One model's results from two jobs: the targets of both, the first model facts found,
    and every distinct error."""
    return dataclasses.replace(
        merged,
        base=merged.base or results.base,
        head=merged.head or results.head,
        eval=merged.eval or results.eval,
        targets=[*merged.targets, *results.targets],
        errors=[*merged.errors, *(e for e in results.errors if e not in merged.errors)],
    )


def _missing(target: ExpectedTarget) -> TargetResult:
    message = (
        f"no results from target '{target.name}': its matrix job crashed, was cancelled or "
        "did not upload its results"
    )
    if target.allow_missing:
        return TargetResult(target.name, list(target.providers), 0, "skipped",
                            notes=[f"{message} (allow_missing)"])  # fmt: skip
    return TargetResult(target.name, list(target.providers), 0, "error", error=message)


def merge_runs(
    reports: Sequence[tuple[str, RunReport]], expected: Sequence[ExpectedTarget]
) -> RunReport:
    """One report over every (model, target); `reports` are (source, report) pairs."""
    if not reports:
        raise DataError("no run.json found in the results folder: did any matrix job upload?")
    _same_commits(reports)
    models: dict[str, Results] = {}
    order: list[str] = []
    for _, report in reports:
        for results in report.results:
            if results.model not in models:
                models[results.model] = dataclasses.replace(results, targets=[])
                order.append(results.model)
            models[results.model] = combine(models[results.model], results)
    merged_results = []
    for model in order:
        results = models[model]
        present = {t.name for t in results.targets}
        targets = list(results.targets) + [_missing(t) for t in expected if t.name not in present]
        verdict = overall_verdict(targets, results.errors)
        merged_results.append(dataclasses.replace(results, targets=targets, verdict=verdict))
    first = reports[0][1]
    notes = list(dict.fromkeys(n for _, r in reports for n in r.notes))
    errors = list(dict.fromkeys(e for _, r in reports for e in r.errors))
    return dataclasses.replace(
        first,
        verdict=run_verdict(merged_results, errors),
        results=merged_results,
        notes=notes,
        errors=errors,
    )
