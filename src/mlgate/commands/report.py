"""`mlgate report`: the release sign-off report (HTML and Markdown) from a release's results.
A thin adapter over `mlgate.gate.release`. Exit codes: 0 ready to sign off, 1 not ready,
2 bad input."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate.commands.arguments import Io, options_from

if TYPE_CHECKING:
    from mlgate.commands.arguments import SubParsers


def add_parser(subparsers: SubParsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "report", help="release sign-off report (HTML and Markdown) from a release's results"
    )
    parser.add_argument(
        "--results",
        type=Path,
        required=True,
        help="folder of results files (run.json, results.json) of this release",
    )
    parser.add_argument("--release", required=True, help="release name, e.g. v1.4.0")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("mlgate-report"),
        help="folder for report.html, report.md and release-results.json",
    )
    parser.add_argument("--previous", type=Path, help="the previous release's results folder")
    parser.add_argument(
        "--previous-release",
        default="",
        help="the previous release's name (default: read from its results)",
    )
    parser.add_argument(
        "--templates",
        type=Path,
        help="folder with your report.html.j2 / report.md.j2 (rendered sandboxed)",
    )
    parser.add_argument(
        "--github-release",
        metavar="TAG",
        help="attach the report to this tag's GitHub Release (GITHUB_TOKEN, "
        "GITHUB_REPOSITORY); a draft release is created if there is none",
    )
    return parser


def run(args: argparse.Namespace, io: Io) -> int:
    from mlgate.gate.release import ReportOptions, report

    reported = report(options_from(ReportOptions, args), io.env)
    io.outcome(reported.summary, reported.written)
    return reported.exit_code
