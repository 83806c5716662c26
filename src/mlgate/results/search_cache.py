"""Variant-search results kept between runs: a re-run, or a head whose model did not change,
reuses the search instead of paying for it again.

A record is keyed by everything its numbers depend on: the model's sha256, the target's
fingerprint (CPU model, runtime versions, providers, threads), the mlgate version and the
search's own settings (fidelity budget, eval data, input shapes). The time budget is left
out: a search cut short by a smaller budget is still an answer worth reusing (its `not
tried` list says what it skipped). On the CLI the folder is `$MLGATE_CACHE_DIR`, else
`~/.cache/mlgate`; in CI it is restored and saved by actions/cache (see the README).

A record that cannot be read is a miss, never an error: the search simply runs again."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from mlgate.results.schema import OptimizationInfo

KIND = "mlgate-search-cache"
VERSION = 1
MAX_RECORD_BYTES = 4 * 1024 * 1024
_INFO = TypeAdapter(OptimizationInfo)


def default_dir(env: Mapping[str, str]) -> Path | None:
    """`$MLGATE_CACHE_DIR` (empty or `off`: no cache), else `~/.cache/mlgate`."""
    given = env.get("MLGATE_CACHE_DIR")
    if given is not None:
        return None if given.strip().lower() in ("", "off", "0") else Path(given)
    home = env.get("HOME")
    return Path(home) / ".cache" / "mlgate" if home else None


@dataclass(frozen=True)
class SearchKey:
    model_sha256: str
    fingerprint: Mapping[str, object]  # CPU model, runtime versions, providers, threads
    tool_version: str
    settings: Mapping[str, object]  # fidelity budget, eval data hash, shapes, metric

    def digest(self) -> str:
        text = json.dumps(dataclasses.asdict(self), sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedSearch:
    info: OptimizationInfo  # without drift and portability (they depend on the base model)
    measured_at: str  # ISO date-time, UTC
    machine: str  # the CPU model it was measured on

    def note(self) -> str:
        day = self.measured_at[:10] or "an earlier run"
        return f"search reused from cache, measured {day} on {self.machine}"


def _path(folder: Path, key: SearchKey) -> Path:
    return folder / "search" / f"{key.digest()}.json"


def load(folder: Path | None, key: SearchKey) -> CachedSearch | None:
    if folder is None:
        return None
    path = _path(folder, key)
    try:
        if not path.is_file() or path.stat().st_size > MAX_RECORD_BYTES:
            return None
        document: Any = json.loads(path.read_text(encoding="utf-8"))
        if document.get("kind") != KIND or document.get("version") != VERSION:
            return None
        if document.get("key") != key.digest():
            return None
        info = _INFO.validate_python(document["info"])
        return CachedSearch(info, str(document["measured_at"]), str(document["machine"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError, ValidationError):
        return None
    except RecursionError:  # nested past the parser's depth: a damaged or hostile record
        return None


def save(folder: Path | None, key: SearchKey, info: OptimizationInfo, machine: str) -> Path | None:
    """Keep this search's result; a folder that cannot be written is no error (returns None)."""
    if folder is None:
        return None
    path = _path(folder, key)
    document = {
        "kind": KIND,
        "version": VERSION,
        "key": key.digest(),
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": machine,
        "model_sha256": key.model_sha256,
        "info": dataclasses.asdict(dataclasses.replace(info, drift=None, portability=None)),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(document, indent=1, default=str) + "\n", encoding="utf-8")
        partial.replace(path)
    except OSError:
        return None
    return path
