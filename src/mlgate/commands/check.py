"""`mlgate check`: gate every ONNX model that changed between two git revisions. A thin
adapter over the gate run (`mlgate.gate.changed.check`); `mlgate bench` shares its flags."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from mlgate.commands.arguments import Io, add_check_arguments, cache_dir, options_from

if TYPE_CHECKING:
    from mlgate.commands.arguments import SubParsers


def add_parser(subparsers: SubParsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "check", help="gate every ONNX model that changed between two git revisions"
    )
    add_check_arguments(parser)
    parser.add_argument(
        "--target", dest="targets", action="append", default=[], help="run only this target"
    )
    return parser


def run(args: argparse.Namespace, io: Io) -> int:
    from mlgate.gate.changed import check
    from mlgate.gate.check_request import CheckOptions
    from mlgate.gate.report import run_outputs

    outcome = check(options_from(CheckOptions, args, cache_dir=cache_dir(io.env)), io.progress)
    io.outcome(*run_outputs(outcome.report, outcome.run_file, args.comment_out))
    if outcome.error is not None:
        raise outcome.error  # one line on stderr, exit 2 (bad input) or 3 (a bug)
    return outcome.exit_code
