"""`mlgate export RESULTS... --format github-action-benchmark|csv`: results in other tools'
formats. RESULTS are results files (`mlgate compare --json`) or run files (`run.json`)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mlgate.errors import ConfigError, DataError
from mlgate.results.export import CSV_COLUMNS, csv_rows, github_action_benchmark
from mlgate.results.schema import Results
from mlgate.results.store import from_dict, parse_json, run_from_dict

Format = Literal["github-action-benchmark", "csv"]
FORMATS = ("github-action-benchmark", "csv")


@dataclass(frozen=True)
class ExportOptions:
    inputs: tuple[Path, ...]
    format: str
    out: Path | None = None  # a folder (github-action-benchmark) or a file (csv); None: stdout


@dataclass(frozen=True)
class ExportOutcome:
    written: list[Path]
    text: str  # what goes to stdout when nothing was written


def _documents(paths: tuple[Path, ...]) -> list[Results]:
    documents: list[Results] = []
    for path in paths:
        if not path.is_file():
            raise DataError(f"results file not found: {path}")
        document = parse_json(path.read_bytes(), str(path))
        if document.get("kind") == "mlgate-run":
            documents.extend(run_from_dict(document, str(path)).results)
        else:
            documents.append(from_dict(document, str(path)))
    return documents


def _csv_text(documents: list[Results]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(documents))
    return buffer.getvalue()


def export(options: ExportOptions) -> ExportOutcome:
    if options.format not in FORMATS:
        raise ConfigError(f"--format {options.format}: use one of {', '.join(FORMATS)}")
    documents = _documents(options.inputs)
    if options.format == "csv":
        text = _csv_text(documents)
        if options.out is None:
            return ExportOutcome([], text)
        options.out.parent.mkdir(parents=True, exist_ok=True)
        options.out.write_text(text, encoding="utf-8")
        return ExportOutcome([options.out], "")
    split = github_action_benchmark(documents)
    folder = options.out or Path("mlgate-export")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for direction, entries in split.items():
        if entries:  # the action refuses an empty array
            path = folder / f"{direction}-is-better.json"
            path.write_text(json.dumps(entries, indent=2, ensure_ascii=False) + "\n", "utf-8")
            written.append(path)
    if not written:
        raise DataError("the results hold no measured metric to export")
    return ExportOutcome(written, "")
