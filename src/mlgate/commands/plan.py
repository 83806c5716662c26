"""`mlgate plan`: print the GitHub matrix (one job per target) for the models that changed.
Loads no model runtime: the plan job needs none."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.commands.arguments import Io, UsageError, add_config_from, add_revisions, options_from

if TYPE_CHECKING:
    from mlgate.commands.arguments import SubParsers


def add_parser(subparsers: SubParsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "plan", help="print the GitHub matrix (targets) for the changed models"
    )
    add_revisions(parser)
    parser.add_argument("--config", type=Path, help="config file (default: ./mlgate.yml)")
    add_config_from(parser)
    parser.add_argument("--models", dest="model_globs", action="append", default=[], metavar="GLOB")
    parser.add_argument(
        "--github-output",
        action="store_true",
        help="also write step outputs `matrix` (for strategy.matrix), `empty` and `models` "
        "to $GITHUB_OUTPUT",
    )
    return parser


def run(args: argparse.Namespace, io: Io) -> int:
    from mlgate.gate.matrix import PlanOptions, plan, plan_json, step_outputs
    from mlgate.github import runner

    output = io.env.get("GITHUB_OUTPUT")
    if args.github_output and not output:
        raise UsageError("--github-output: $GITHUB_OUTPUT is not set (not in a workflow)")
    matrix = plan(options_from(PlanOptions, args))
    if output and args.github_output:
        runner.write_outputs(Path(output), step_outputs(matrix))
    if matrix["empty"]:
        io.err("mlgate: no model changed: nothing to gate (empty matrix)")
    io.out(plan_json(matrix))
    return 0
