"""`mlgate` command line: a registry of commands. Builds the parser from each command's own
`add_parser`, parses, sets up progress, runs the command, and turns errors into one line and
an exit code (0 pass, 1 regression, 2 bad input, 3 internal error). Nothing else."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from mlgate.commands.arguments import Io, Parser
from mlgate.error_handler import Exit, handle_errors
from mlgate.render.untrusted import neutralise_commands
from mlgate.terminal import make_progress, stderr_line


def _out(text: str) -> None:
    """Every stdout write: the text quotes the repository (file and model names, notes,
    errors), and no line of it may be read as a workflow command in GitHub Actions."""
    sys.stdout.write(neutralise_commands(text))


class _VersionAction(argparse.Action):
    """Versions of everything the numbers depend on (imports onnxruntime only when asked)."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        from mlgate.bench.environment import version_report

        _out(version_report())
        parser.exit()


# name -> the module that owns the command's parser (`add_parser`) and its `run`; in the
# order `mlgate --help` lists them. Command modules import their services lazily, so building
# the parser loads no model runtime (the plan job has none).
COMMANDS: dict[str, str] = {
    "compare": "mlgate.commands.compare",
    "check": "mlgate.commands.check",
    "bench": "mlgate.commands.bench",
    "plan": "mlgate.commands.plan",
    "gate": "mlgate.commands.gate",
    "history": "mlgate.commands.history",
    "calibrate": "mlgate.commands.calibrate",
    "profile": "mlgate.commands.profile",
    "optimize": "mlgate.commands.optimize",
    "export": "mlgate.commands.export",
    "report": "mlgate.commands.report",
    "demo": "mlgate.commands.demo",
}


def _command(name: str) -> ModuleType:
    return importlib.import_module(COMMANDS[name])


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="mlgate", description="Gate model changes on accuracy, latency, memory and size."
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        nargs=0,
        help="show the version, library versions and execution providers, then exit",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for name in COMMANDS:
        _command(name).add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        with handle_errors():
            args = build_parser().parse_args(argv)
            io = Io(_out, stderr_line, make_progress(args, os.environ), os.environ)
            code: int = _command(args.command).run(args, io)
            return code
    except Exit as done:
        return done.code
    except SystemExit as done:  # --help / --version
        return int(done.code or 0)
