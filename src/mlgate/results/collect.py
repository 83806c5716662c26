"""Gather the results of a release from a folder: every results document in it (as written by
`mlgate compare --json`, `mlgate bench`, the Action, or a previous `mlgate report`), grouped
by model, with each target's runner kept. Other JSON files are listed, not guessed at."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from mlgate.errors import DataError
from mlgate.results.merge import combine
from mlgate.results.schema import Provenance, Results, RunContextInfo
from mlgate.results.store import MAX_RESULTS_BYTES, from_dict, parse_json, run_from_dict
from mlgate.results.verdicts import overall_verdict


@dataclass(frozen=True)
class Runner:
    """Where one (model, target) was measured."""

    model: str
    target: str
    provenance: Provenance
    source: str  # the file it came from, relative to the folder


@dataclass(frozen=True)
class Collected:
    models: list[Results]
    runners: list[Runner]
    contexts: list[RunContextInfo]
    sources: list[str]
    ignored: list[str] = field(default_factory=list)  # JSON files that are not results
    parts: list[Results] = field(default_factory=list)  # as read: one per (file, model)


def _documents(path: Path, source: str) -> tuple[list[Results], RunContextInfo | None] | None:
    if path.stat().st_size > MAX_RESULTS_BYTES:
        raise DataError(f"{source} is larger than {MAX_RESULTS_BYTES // (1024 * 1024)} MB")
    document = parse_json(path.read_bytes(), source)
    if document.get("kind") == "mlgate-run":
        run = run_from_dict(document, source)
        return list(run.results), run.context
    if "targets" in document and "model" in document and "schema_version" in document:
        return [from_dict(document, source)], None
    return None


def collect(folder: Path) -> Collected:
    """Every results document under `folder` (or that one file), one `Results` per model
    with all its targets.
    The same (model, target) twice is refused: which one would the report sign off?"""
    if not folder.exists():
        raise DataError(f"results folder not found: {folder}; pass the folder the jobs wrote")
    models: dict[str, Results] = {}
    seen: dict[tuple[str, str], str] = {}
    runners: list[Runner] = []
    contexts: list[RunContextInfo] = []
    sources: list[str] = []
    ignored: list[str] = []
    parts: list[Results] = []
    files = sorted(folder.rglob("*.json")) if folder.is_dir() else [folder]
    for path in files:
        source = path.relative_to(folder).as_posix() if folder.is_dir() else path.name
        found = _documents(path, source)
        if found is None:
            ignored.append(source)
            continue
        documents, context = found
        sources.append(source)
        if context is not None and context not in contexts:
            contexts.append(context)
        parts.extend(documents)
        for results in documents:
            for target in results.targets:
                key = (results.model, target.name)
                if key in seen:
                    raise DataError(
                        f"model {results.model!r} on target {target.name!r} is in both "
                        f"{seen[key]} and {source}: keep one results file per target "
                        "(a merged run.json and the job files it came from are not both needed)"
                    )
                seen[key] = source
                runners.append(Runner(results.model, target.name, results.provenance, source))
            known = models.get(results.model)
            models[results.model] = results if known is None else combine(known, results)
    if not models:
        raise DataError(
            f"no mlgate results in {folder}: expected run.json or results.json files written "
            "by `mlgate bench`, `mlgate check` or `mlgate compare --json`"
        )
    merged = [
        dataclasses.replace(r, verdict=overall_verdict(r.targets, r.errors))
        for r in models.values()
    ]
    return Collected(merged, runners, contexts, sources, ignored, parts)
