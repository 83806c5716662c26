"""`mlgate export RESULTS... --format github-action-benchmark|csv`: results in other tools'
formats. A thin adapter over `mlgate.gate.export`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.commands.arguments import Io, options_from

if TYPE_CHECKING:
    from mlgate.commands.arguments import SubParsers


def add_parser(subparsers: SubParsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "export", help="results in other tools' formats (dashboards, CSV)"
    )
    parser.add_argument(
        "inputs", metavar="results", nargs="+", type=Path, help="results or run.json files"
    )
    parser.add_argument(
        "--format",
        required=True,
        choices=["github-action-benchmark", "csv"],
        help="github-action-benchmark: customSmallerIsBetter/customBiggerIsBetter JSON files",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="folder for github-action-benchmark files (default mlgate-export), or the CSV "
        "file (default: stdout)",
    )
    return parser


def run(args: argparse.Namespace, io: Io) -> int:
    from mlgate.gate.export import ExportOptions, export

    exported = export(options_from(ExportOptions, args))
    io.outcome(exported.text, exported.written)
    return 0
