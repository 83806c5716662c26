"""`mlgate profile MODEL`: the static profile of one model. A thin adapter over
`mlgate.gate.profile`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.commands.arguments import Io, KeyValues, input_shape, options_from

if TYPE_CHECKING:
    from mlgate.commands.arguments import SubParsers


def add_parser(subparsers: SubParsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "profile", help="static profile: parameters, MACs by op and dtype, energy proxy"
    )
    parser.add_argument("model", help="model: a path, or REV:path read from git")
    parser.add_argument(
        "--data", type=Path, help="eval data .npz: input shapes from its first batch"
    )
    parser.add_argument(
        "--config", type=Path, help="config file (default: ./mlgate.yml if present)"
    )
    parser.add_argument(
        "--input",
        dest="inputs",
        action=KeyValues,
        type=input_shape,
        default={},
        metavar="NAME=D1,D2,…",
        help="concrete shape of an input (repeatable), e.g. input_ids=1,128",
    )
    parser.add_argument("--json", dest="json_out", type=Path, help="write the profile JSON here")
    return parser


def run(args: argparse.Namespace, io: Io) -> int:
    from mlgate.gate.profile import ProfileOptions, profile

    with io.progress.step("profiling"):
        profiled = profile(options_from(ProfileOptions, args))
    io.outcome(profiled.summary, profiled.written)
    return 0
