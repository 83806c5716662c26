"""Read, write, validate and upgrade results documents."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from mlgate.errors import DataError
from mlgate.results.schema import SCHEMA_VERSION, ProfileReport, Results, RunReport

Document = Results | RunReport | ProfileReport
_T = TypeVar("_T")
_ADAPTER = TypeAdapter(Results)
_RUN_ADAPTER = TypeAdapter(RunReport)
MAX_RESULTS_BYTES = 32 * 1024 * 1024


def _finite(value: Any) -> Any:
    """JSON has no NaN/Infinity: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def to_dict(document: Document) -> dict[str, Any]:
    finite: dict[str, Any] = _finite(dataclasses.asdict(document))
    return finite


def dumps(document: Document) -> str:
    return json.dumps(to_dict(document), indent=2, ensure_ascii=False) + "\n"


def write_results(document: Document, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(document), encoding="utf-8")


def _v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    """Version 2 only added optional fields (compute profile, energy, metric sources)."""
    return {**document, "schema_version": 2}


def _typed_notes(metric: Any) -> Any:
    """A version-2 metric's `note` text, split where it was joined: its parts become
    `notes`; an accuracy metric's first part named its eval metric."""
    if not isinstance(metric, dict) or "note" not in metric:
        return metric
    upgraded = {k: v for k, v in metric.items() if k != "note"}
    note = metric["note"]
    parts = [part for part in note.split("; ") if part] if isinstance(note, str) else []
    if metric.get("name") == "accuracy" and parts:
        upgraded["eval_metric"] = parts.pop(0)
    upgraded["notes"] = parts
    return upgraded


def _v2_to_v3(document: dict[str, Any]) -> dict[str, Any]:
    """Version 3 types a metric's notes (a list, and the accuracy's eval metric apart)."""
    targets = document.get("targets")
    if isinstance(targets, list):
        targets = [
            {**t, "metrics": [_typed_notes(m) for m in t["metrics"]]}
            if isinstance(t, dict) and isinstance(t.get("metrics"), list)
            else t
            for t in targets
        ]
        document = {**document, "targets": targets}
    return {**document, "schema_version": 3}


# Each step upgrades a document from version N to N + 1 (a run's results each on their own).
UPGRADES: dict[int, Any] = {1: _v1_to_v2, 2: _v2_to_v3}


def upgrade(document: dict[str, Any], source: str = "results file") -> dict[str, Any]:
    version = document.get("schema_version")
    if not isinstance(version, int):
        raise DataError(f"{source} has no schema_version: not an mlgate results file")
    if version > SCHEMA_VERSION:
        raise DataError(
            f"{source} has schema_version {version}, newer than this mlgate understands "
            f"({SCHEMA_VERSION}); upgrade mlgate"
        )
    while version < SCHEMA_VERSION:
        document = UPGRADES[version](document)
        version = document["schema_version"]
    return document


def _validate(adapter: TypeAdapter[_T], document: dict[str, Any], source: str) -> _T:
    try:
        return adapter.validate_python(document)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"])
        raise DataError(f"{source}: invalid results document at {where}: {error['msg']}") from None


def from_dict(document: dict[str, Any], source: str = "results") -> Results:
    return _validate(_ADAPTER, upgrade(document, source), source)


def run_from_dict(document: dict[str, Any], source: str = "run") -> RunReport:
    document = upgrade(document, source)
    results = document.get("results")
    if isinstance(results, list):
        document = {**document, "results": [_upgraded(r, source) for r in results]}
    return _validate(_RUN_ADAPTER, document, source)


def _upgraded(document: Any, source: str) -> Any:
    return upgrade(document, source) if isinstance(document, dict) else document


def parse_json(data: bytes, source: str, max_bytes: int = MAX_RESULTS_BYTES) -> dict[str, Any]:
    """Bytes -> a JSON object, refusing oversize, non-UTF-8 and non-object documents."""
    if len(data) > max_bytes:
        raise DataError(f"{source} is larger than {max_bytes // (1024 * 1024)} MB")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{source} is not valid JSON: {exc}") from None
    except RecursionError:
        raise DataError(f"{source} is nested too deeply to be a results document") from None
    if not isinstance(document, dict):
        raise DataError(f"{source} is not an mlgate results document (top level is not an object)")
    return document


def _read_bytes(path: Path) -> bytes:
    if not path.is_file():
        raise DataError(f"results file not found: {path}")
    if path.stat().st_size > MAX_RESULTS_BYTES:
        raise DataError(f"{path} is larger than {MAX_RESULTS_BYTES // (1024 * 1024)} MB")
    return path.read_bytes()


def read_results(path: Path) -> Results:
    return from_dict(parse_json(_read_bytes(path), str(path)), str(path))


def read_run(path: Path) -> RunReport:
    return run_from_dict(parse_json(_read_bytes(path), str(path)), str(path))


def json_schema() -> dict[str, Any]:
    return _published(_ADAPTER, "results")


def run_json_schema() -> dict[str, Any]:
    return _published(_RUN_ADAPTER, "run")


def profile_json_schema() -> dict[str, Any]:
    return _published(TypeAdapter(ProfileReport), "profile")


def _published(adapter: TypeAdapter[Any], name: str) -> dict[str, Any]:
    schema = adapter.json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://github.com/org/ml-efficiency-gate/schemas/{name}.schema.json"
    return schema
