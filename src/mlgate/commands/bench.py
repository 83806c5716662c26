"""`mlgate bench`: one job of a target matrix: every changed model on one target, results
under `--out/TARGET`. The flags are `mlgate check`'s, with one required `--target`."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from mlgate.commands.arguments import Io, add_check_arguments, cache_dir, options_from

if TYPE_CHECKING:
    from mlgate.commands.arguments import SubParsers


def add_parser(subparsers: SubParsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "bench", help="one matrix job: every changed model on one target"
    )
    add_check_arguments(parser)
    parser.add_argument("--target", required=True, help="the one target this job measures")
    return parser


def run(args: argparse.Namespace, io: Io) -> int:
    from mlgate.gate.check_request import CheckOptions
    from mlgate.gate.matrix import bench
    from mlgate.gate.report import run_outputs

    options = options_from(CheckOptions, args, cache_dir=cache_dir(io.env))
    outcome = bench(options, args.target, io.progress)
    io.outcome(*run_outputs(outcome.report, outcome.run_file, args.comment_out))
    if outcome.error is not None:
        raise outcome.error  # one line on stderr, exit 2 (bad input) or 3 (a bug)
    return outcome.exit_code
