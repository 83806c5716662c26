"""`mlgate compare BASE HEAD`: gate one model change on this machine. A thin adapter: the
arguments become a `GateRequest` for the gate service."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.commands.arguments import (
    Io,
    add_measure_arguments,
    add_thresholds,
    date,
    options_from,
)

if TYPE_CHECKING:
    from mlgate.commands.arguments import SubParsers
    from mlgate.gate.request import GateOutcome, GateRequest
    from mlgate.progress import Progress


def add_parser(subparsers: SubParsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "compare", help="compare a base and a head model on this machine"
    )
    parser.add_argument(
        "base",
        help="base model: a path, or REV:path read from git objects (main:models/a.onnx); "
        "write ./name to mean a file whose name has a colon",
    )
    parser.add_argument("head", help="head model: a path, or REV:path")
    parser.add_argument(
        "--data", type=Path, help="eval data .npz: one array per input, optional `labels`"
    )
    parser.add_argument(
        "--pytest-benchmark",
        nargs=2,
        type=Path,
        metavar=("BASE.json", "HEAD.json"),
        help="also gate these `pytest --benchmark-json` results (base, head)",
    )
    parser.add_argument(
        "--waivers",
        dest="waivers_path",
        type=Path,
        help="waivers file (default: mlgate-waivers.yml beside the config)",
    )
    parser.add_argument(
        "--today", type=date, help="the date waivers expire against (default: today, UTC)"
    )
    parser.add_argument(
        "--config", type=Path, help="config file (default: ./mlgate.yml if present)"
    )
    parser.add_argument("--json", dest="json_out", type=Path, help="write the results JSON here")
    parser.add_argument(
        "--comment", dest="comment_out", type=Path, help="write the PR comment Markdown here"
    )
    add_thresholds(parser)
    parser.add_argument(
        "--target",
        dest="targets",
        action="append",
        default=[],
        help="run only this target (repeatable)",
    )
    add_measure_arguments(parser)
    return parser


def compare(request: GateRequest, progress: Progress | None = None) -> GateOutcome:
    """Run the gate; on bad input the partial results are written, then the error raised."""
    from mlgate.gate.service import run_gate

    outcome = run_gate(request, progress)
    if outcome.error is not None:
        raise outcome.error
    return outcome


def run(args: argparse.Namespace, io: Io) -> int:
    from mlgate.commands.arguments import cache_dir
    from mlgate.gate.request import GateRequest

    outcome = compare(options_from(GateRequest, args, cache_dir=cache_dir(io.env)), io.progress)
    io.outcome(outcome.summary, outcome.written)
    return outcome.exit_code
