"""`mlgate optimize MODEL`: find the fastest variant of one model within the accuracy
budget and save it. A thin adapter over `mlgate.gate.optimize`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.commands.arguments import Io, add_log_arguments, options_from, positive_float

if TYPE_CHECKING:
    from mlgate.commands.arguments import SubParsers


def add_parser(subparsers: SubParsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "optimize", help="find the fastest variant of a model within the accuracy budget"
    )
    parser.add_argument("model", help="model: a path, or REV:path read from git")
    parser.add_argument("--data", type=Path, help="eval data .npz (fidelity and calibration)")
    parser.add_argument(
        "--config", type=Path, help="config file (default: ./mlgate.yml if present)"
    )
    parser.add_argument("--target", help="configured target to optimize for (default: the first)")
    parser.add_argument(
        "--out",
        dest="out_dir",
        type=Path,
        default=Path("mlgate-optimized"),
        help="folder for the recommended model and its provenance record",
    )
    parser.add_argument("--json", dest="json_out", type=Path, help="write the search JSON here")
    parser.add_argument(
        "--budget-seconds",
        "--search-budget",
        type=positive_float,
        help="time for the search (default: optimize.budget_seconds, else 180 s)",
    )
    add_log_arguments(parser)
    return parser


def run(args: argparse.Namespace, io: Io) -> int:
    from mlgate.gate.optimize import OptimizeOptions, optimize

    with io.progress.step("searching for a faster variant"):
        optimized = optimize(options_from(OptimizeOptions, args))
    io.outcome(optimized.summary, optimized.written)
    return 0
