"""`mlgate demo`: the full gate on a bundled real example. A thin adapter over
`mlgate.gate.demo`; the demo itself succeeds whatever the gate decides."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.commands.arguments import Io, positive_float

if TYPE_CHECKING:
    from mlgate.commands.arguments import SubParsers


def add_parser(subparsers: SubParsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("demo", help="run the full gate on a bundled real example")
    parser.add_argument(
        "--out", type=Path, default=Path("mlgate-demo"), help="folder for the outputs"
    )
    parser.add_argument("--budget-seconds", type=positive_float, help="latency time budget")
    return parser


def run(args: argparse.Namespace, io: Io) -> int:
    from mlgate.gate.demo import demo

    result = demo(args.out, io.progress, args.budget_seconds)
    gated = result.compare
    verb = "fails" if gated.exit_code else "passes"
    io.out(gated.summary)
    io.out(
        f"\nThe demo PR {verb} the gate (mlgate compare would exit {gated.exit_code}); "
        "the demo itself succeeded.\n"
    )
    io.outcome("", [*gated.written, *result.report.written[:2]])
    return result.exit_code
