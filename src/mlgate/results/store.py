"""Read, write, validate and upgrade results documents."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from mlgate.errors import DataError
from mlgate.results.schema import SCHEMA_VERSION, Results

_ADAPTER = TypeAdapter(Results)
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


def to_dict(results: Results) -> dict[str, Any]:
    return _finite(dataclasses.asdict(results))


def dumps(results: Results) -> str:
    return json.dumps(to_dict(results), indent=2, ensure_ascii=False) + "\n"


def write_results(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(results), encoding="utf-8")


# Each step upgrades a document from version N to N + 1.
UPGRADES: dict[int, Any] = {}


def upgrade(document: dict[str, Any]) -> dict[str, Any]:
    version = document.get("schema_version")
    if not isinstance(version, int):
        raise DataError("results file has no schema_version: not an mlgate results file")
    if version > SCHEMA_VERSION:
        raise DataError(
            f"results file has schema_version {version}, newer than this mlgate understands "
            f"({SCHEMA_VERSION}); upgrade mlgate"
        )
    while version < SCHEMA_VERSION:
        document = UPGRADES[version](document)
        version = document["schema_version"]
    return document


def from_dict(document: dict[str, Any], source: str = "results") -> Results:
    try:
        return _ADAPTER.validate_python(upgrade(document))
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in error["loc"])
        raise DataError(f"{source}: invalid results document at {where}: {error['msg']}") from None


def read_results(path: Path) -> Results:
    if not path.is_file():
        raise DataError(f"results file not found: {path}")
    if path.stat().st_size > MAX_RESULTS_BYTES:
        raise DataError(f"{path} is larger than {MAX_RESULTS_BYTES // (1024 * 1024)} MB")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise DataError(f"{path} is not an mlgate results document (top level is not an object)")
    return from_dict(document, str(path))


def json_schema() -> dict[str, Any]:
    schema = _ADAPTER.json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://github.com/org/ml-efficiency-gate/schemas/results.schema.json"
    return schema
