"""`mlgate gate`: the last job of a target matrix: merge every job's `run.json` into one
verdict, one `run.json` and one comment."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.commands.arguments import Io, options_from

if TYPE_CHECKING:
    from mlgate.commands.arguments import SubParsers


def add_parser(subparsers: SubParsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "gate", help="merge every target's results into one verdict and comment"
    )
    parser.add_argument(
        "--results",
        dest="results_dir",
        type=Path,
        required=True,
        help="folder with the jobs' run.json",
    )
    parser.add_argument("--config", type=Path, help="config file: the targets to expect")
    parser.add_argument("--comment", dest="comment_out", type=Path, help="write the comment here")
    parser.add_argument(
        "--out", type=Path, help="merged run.json (default: RESULTS/merged-run.json)"
    )
    return parser


def run(args: argparse.Namespace, io: Io) -> int:
    from mlgate.gate.merge import MergeOptions, merge_jobs

    gated = merge_jobs(options_from(MergeOptions, args))
    io.outcome(gated.summary, gated.written)
    return gated.exit_code
