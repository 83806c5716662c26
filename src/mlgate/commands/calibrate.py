"""`mlgate calibrate [MODEL]`: measure A/A latency noise on this machine and suggest
thresholds. A thin adapter over `mlgate.gate.calibrate`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.commands.arguments import Io, options_from, positive_float, rate, trials

if TYPE_CHECKING:
    from mlgate.commands.arguments import SubParsers


def add_parser(subparsers: SubParsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "calibrate", help="measure A/A latency noise on this machine and suggest thresholds"
    )
    parser.add_argument(
        "model", nargs="?", type=Path, help="model to time (default: a ~1 ms reference)"
    )
    parser.add_argument("--data", type=Path, help="eval data .npz; its first batch is timed")
    parser.add_argument("--config", type=Path, help="config file (targets, warm-up)")
    parser.add_argument("--target", help="configured target to calibrate (default: the first)")
    parser.add_argument(
        "--trials", type=trials, default=20, help="A/A comparisons to run (default 20)"
    )
    parser.add_argument(
        "--seconds", type=positive_float, default=2.0, help="sampling time per trial (default 2)"
    )
    parser.add_argument(
        "--false-alarm-rate",
        type=rate,
        default=0.01,
        help="target share of A/A comparisons that may fail (default 0.01)",
    )
    parser.add_argument(
        "--json", dest="json_out", type=Path, help="write the calibration JSON here"
    )
    return parser


def run(args: argparse.Namespace, io: Io) -> int:
    from mlgate.gate.calibrate import CalibrateOptions, calibrate

    calibrated = calibrate(options_from(CalibrateOptions, args), io.progress)
    io.out(calibrated.summary)
    return calibrated.exit_code
