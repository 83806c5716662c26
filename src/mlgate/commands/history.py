"""`mlgate history record`: commit the results of a run on main to the history branch, which
pull-request runs read the last results on main from."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.commands.arguments import Io, Parser

if TYPE_CHECKING:
    from mlgate.commands.arguments import SubParsers


def add_parser(subparsers: SubParsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser("history", help="main-branch history of results (orphan branch)")
    actions = parser.add_subparsers(dest="history_command", required=True, parser_class=Parser)
    record = actions.add_parser(
        "record", help="commit the results of a run on main to the history branch"
    )
    record.add_argument("--results", type=Path, required=True, help="folder with run.json files")
    record.add_argument("--config", type=Path, help="config file: its history.branch")
    record.add_argument("--branch", help="history branch (default: the config's, mlgate-history)")
    return parser


def run(args: argparse.Namespace, io: Io) -> int:
    from mlgate.config import load_config
    from mlgate.gate.history import record

    branch = args.branch or load_config(args.config)[0].history.branch
    io.out(record(args.results, branch, Path()).summary())
    return 0
