"""Main-branch history: what was measured on main, keyed by model sha256 and target
fingerprint, so that a pull request's comment can show the last results on main for the
model it changes. Records are small JSON files on an orphan branch (see `mlgate history`);
this module builds and reads them and never touches git. Pure.

History is context, never evidence: latency is always re-measured A/B on the pull request's
own runner, and no verdict depends on a record."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from mlgate.results.schema import HistoryEntry, Provenance, Results, RunReport, TargetResult

RECORD_KIND = "mlgate-history"
RECORD_VERSION = 1
MAX_RECORD_BYTES = 256 * 1024

# (model sha256) -> [(file name, content)] of the records stored for that model
RecordReader = Callable[[str], list[tuple[str, bytes]]]


def fingerprint(target: TargetResult, provenance: Provenance) -> str:
    """Same fingerprint, same measuring conditions: target, providers, threads, machine,
    CPU model and onnxruntime version."""
    key = json.dumps(
        [
            target.name,
            list(target.providers),
            target.threads,
            provenance.machine,
            provenance.cpu_model,
            provenance.onnxruntime,
        ]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "target"


def record_path(model_sha256: str, target: str, print_: str) -> str:
    return f"models/{model_sha256}/{_slug(target)}-{print_}.json"


def build_records(report: RunReport, recorded_at: str) -> dict[str, bytes]:
    """One record per measured (head model, target) of a run on main."""
    records: dict[str, bytes] = {}
    for results in report.results:
        if results.head is None:
            continue
        for target in results.targets:
            if target.error is not None or target.verdict in ("skipped", "error"):
                continue
            metrics = {m.name: m.head for m in target.metrics if m.head is not None}
            if not metrics:
                continue
            print_ = fingerprint(target, results.provenance)
            record = {
                "kind": RECORD_KIND,
                "version": RECORD_VERSION,
                "model": results.model,
                "model_sha256": results.head.sha256,
                "eval_sha256": results.eval.sha256 if results.eval else None,
                "target": target.name,
                "fingerprint": print_,
                "commit": report.context.head_sha,
                "recorded_at": recorded_at,
                "run_url": report.context.run_url,
                "metrics": metrics,
            }
            path = record_path(results.head.sha256, target.name, print_)
            records[path] = (json.dumps(record, indent=2, sort_keys=True) + "\n").encode()
    return records


def _parse(data: bytes) -> dict[str, Any] | None:
    """A record, or None for anything that is not one (history is context: never fatal)."""
    if len(data) > MAX_RECORD_BYTES:
        return None
    try:
        record = json.loads(data)
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("kind") != RECORD_KIND:
        return None
    metrics = record.get("metrics")
    if not isinstance(metrics, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) for k, v in metrics.items()
    ):
        return None
    if not all(isinstance(record.get(k), str) for k in ("target", "fingerprint", "commit")):
        return None
    return record


def _entry(record: dict[str, Any], same_machine: bool) -> HistoryEntry:
    eval_sha = record.get("eval_sha256")
    return HistoryEntry(
        commit=str(record["commit"]),
        recorded_at=str(record.get("recorded_at", "")),
        metrics={k: float(v) for k, v in record["metrics"].items()},
        same_machine=same_machine,
        fingerprint=str(record["fingerprint"]),
        run_url=str(record.get("run_url", "")),
        eval_sha256=eval_sha if isinstance(eval_sha, str) else None,
    )


def find_entry(
    records: list[tuple[str, bytes]], target: TargetResult, provenance: Provenance
) -> HistoryEntry | None:
    """The newest record for this target, preferring one under the same fingerprint."""
    parsed = [r for _, data in records if (r := _parse(data)) is not None]
    mine = [r for r in parsed if r["target"] == target.name]
    if not mine:
        return None
    print_ = fingerprint(target, provenance)
    same = [r for r in mine if r["fingerprint"] == print_]
    pool = same or mine
    newest = max(pool, key=lambda r: str(r.get("recorded_at", "")))
    return _entry(newest, bool(same))


def _accuracy_note(results: Results, target: TargetResult, entry: HistoryEntry) -> str | None:
    """Same model, eval data and machine, different accuracy: the run is not deterministic."""
    if not entry.same_machine or results.eval is None or entry.eval_sha256 != results.eval.sha256:
        return None
    for metric in target.metrics:
        if not metric.name.startswith("accuracy") or metric.base is None:
            continue
        recorded = entry.metrics.get(metric.name)
        if recorded is not None and abs(recorded - metric.base) > 1e-9:
            return (
                f"{metric.name} of the base model is {metric.base:.6g} here but was "
                f"{recorded:.6g} on main ({entry.commit[:7]}) with the same model, eval data "
                "and machine: inference is not deterministic on this target"
            )
    return None


def attach_history(results: list[Results], read: RecordReader) -> list[Results]:
    """Each target's last results on main for the base model (what main has)."""
    attached = []
    for item in results:
        if item.base is None:
            attached.append(item)
            continue
        records = read(item.base.sha256)
        targets = []
        for target in item.targets:
            entry = find_entry(records, target, item.provenance) if records else None
            if entry is None:
                targets.append(target)
                continue
            note = _accuracy_note(item, target, entry)
            notes = [*target.notes, note] if note else target.notes
            targets.append(dataclasses.replace(target, history=entry, notes=notes))
        attached.append(dataclasses.replace(item, targets=targets))
    return attached
