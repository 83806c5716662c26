"""`mlgate` command line: parse, call a command, print. Nothing else."""

from __future__ import annotations

import argparse
import contextlib
import datetime
import math
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

from mlgate.error_handler import Exit, handle_errors
from mlgate.errors import MlgateError
from mlgate.progress import LogProgress, NoProgress, Progress, Tracker, log_line
from mlgate.render.untrusted import neutralise_commands


class UsageError(MlgateError):
    """Bad command-line usage."""


def _out(text: str) -> None:
    """Every stdout write: the text quotes the repository (file and model names, notes,
    errors), and no line of it may be read as a workflow command in GitHub Actions."""
    sys.stdout.write(neutralise_commands(text))


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


class _TerminalProgress:
    """A transient spinner on stderr (a terminal): the open steps, then a dim line with
    the elapsed time and what is left when each ends; notes with --verbose."""

    def __init__(self, verbose: bool = False) -> None:
        from rich.console import Console

        self._console = Console(stderr=True)
        self._tracker = Tracker()
        self._verbose = verbose

    @contextlib.contextmanager
    def _step(self, text: str, expect: float, then: float) -> Iterator[None]:
        from rich.markup import escape

        self._tracker.start(text, expect, then)
        try:
            with self._console.status(escape(log_line(self._tracker.path()))):
                yield
        finally:
            done = self._tracker.done_line(*self._tracker.finish())
            self._console.print(f"[dim]✓ {escape(log_line(done))}[/dim]")

    def step(
        self, text: str, expect_seconds: float = 0.0, then_seconds: float = 0.0
    ) -> AbstractContextManager[object]:
        return self._step(text, expect_seconds, then_seconds)

    def note(self, text: str) -> None:
        if self._verbose:
            from rich.markup import escape

            self._console.print(f"[dim]  note: {escape(log_line(text))}[/dim]")


def _stderr_line(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def make_progress(args: argparse.Namespace, env: Mapping[str, str]) -> Progress:
    """Nothing with --quiet; the live display on a terminal; else one line per step on
    stderr (a CI log), grouped per model on GitHub Actions. `MLGATE_LOG_LEVEL` (quiet,
    normal, verbose) sets the default; --quiet and --verbose win over it."""
    level = env.get("MLGATE_LOG_LEVEL", "normal").strip().lower()  # the default, for CI
    verbose = bool(getattr(args, "verbose", False)) or level == "verbose"
    if getattr(args, "quiet", False) or (level == "quiet" and not verbose):
        return NoProgress()
    if sys.stderr.isatty():
        return _TerminalProgress(verbose)
    return LogProgress(_stderr_line, github=env.get("GITHUB_ACTIONS") == "true", verbose=verbose)


def _seconds_or_off(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0 <= value <= 86_400:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 0 (off) and 86400 seconds")
    return value


def _add_log_arguments(parser: argparse.ArgumentParser) -> None:
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "--quiet", action="store_true", help="print nothing but errors and the final summary"
    )
    loudness.add_argument(
        "--verbose", action="store_true", help="also print the notes of each step"
    )


def _add_search_budget(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--search-budget",
        type=_seconds_or_off,
        metavar="SECONDS",
        help="time for the variant search per model and target (0: off; default: what is "
        "left of a 180 s bill after measuring)",
    )


def _threshold(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"'{text}' is not METRIC=THRESHOLD (e.g. latency.p50=+3%)")
    return name.strip(), value.strip()


_ONE_DAY = 86_400.0  # the largest time budget a flag accepts (as in mlgate.yml)
_MAX_DIM = 2**31 - 1


def _positive_float(text: str) -> float:
    """Seconds (or a rate): a finite number above zero, at most a day."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value) or value <= 0 or value > _ONE_DAY:
        raise argparse.ArgumentTypeError(
            f"'{text}' must be a number above zero and at most {_ONE_DAY:.0f} (one day)"
        )
    return value


def _rate(text: str) -> float:
    value = _positive_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be a fraction between 0 and 1")
    return value


def _trials(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 1 and 10000")
    return value


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _input_shape(text: str) -> tuple[str, list[int]]:
    name, sep, dims = text.partition("=")
    try:
        shape = [int(d) for d in dims.replace("x", ",").split(",") if d.strip()]
    except ValueError:
        shape = []
    if not sep or not name.strip() or not shape or any(not 0 < d <= _MAX_DIM for d in shape):
        raise argparse.ArgumentTypeError(
            f"'{text}' is not NAME=D1,D2,… with positive sizes (e.g. input_ids=1,128)"
        )
    return name.strip(), shape


class _VersionAction(argparse.Action):
    """Versions of everything the numbers depend on (imports onnxruntime only when asked)."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        from mlgate.bench.environment import version_report

        _out(version_report())
        parser.exit()


def _add_check_arguments(parser: argparse.ArgumentParser, many_targets: bool = True) -> None:
    """What `check` and `bench` share: revisions, models, config, outputs, settings."""
    parser.add_argument(
        "--base", required=True, help="base revision; compared at its merge-base with --head"
    )
    parser.add_argument("--head", default="HEAD", help="head revision (default: HEAD)")
    parser.add_argument(
        "--models",
        action="append",
        default=[],
        metavar="GLOB",
        help="only models matching this glob (repeatable; default: the config's, else **/*.onnx)",
    )
    parser.add_argument("--config", default="mlgate.yml", help="config path in the repository")
    parser.add_argument(
        "--config-from",
        choices=["worktree", "base", "head"],
        default="worktree",
        help="read the config from the work tree (default) or a revision",
    )
    parser.add_argument(
        "--out", type=Path, default=Path("mlgate-results"), help="folder for run.json and results"
    )
    parser.add_argument("--comment", dest="comment_out", type=Path, help="write the comment here")
    parser.add_argument(
        "--threshold", action="append", type=_threshold, default=[], metavar="METRIC=THRESHOLD"
    )
    if many_targets:
        parser.add_argument("--target", action="append", default=[], help="run only this target")
    else:
        parser.add_argument("--target", required=True, help="the one target this job measures")
    parser.add_argument("--budget-seconds", type=_positive_float, help="latency budget per target")
    parser.add_argument("--no-memory", action="store_true", help="skip peak-memory measurement")
    parser.add_argument(
        "--no-optimize", action="store_true", help="skip the search for a faster variant"
    )
    _add_search_budget(parser)
    _add_log_arguments(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="mlgate", description="Gate model changes on accuracy, latency, memory and size."
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        nargs=0,
        help="show the version, library versions and execution providers, then exit",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    cmp = sub.add_parser("compare", help="compare a base and a head model on this machine")
    cmp.add_argument(
        "base",
        help="base model: a path, or REV:path read from git objects (main:models/a.onnx); "
        "write ./name to mean a file whose name has a colon",
    )
    cmp.add_argument("head", help="head model: a path, or REV:path")
    cmp.add_argument(
        "--data", type=Path, help="eval data .npz: one array per input, optional `labels`"
    )
    cmp.add_argument(
        "--pytest-benchmark",
        nargs=2,
        type=Path,
        metavar=("BASE.json", "HEAD.json"),
        help="also gate these `pytest --benchmark-json` results (base, head)",
    )
    cmp.add_argument(
        "--waivers", type=Path, help="waivers file (default: mlgate-waivers.yml beside the config)"
    )
    cmp.add_argument(
        "--today", type=_date, help="the date waivers expire against (default: today, UTC)"
    )
    cmp.add_argument("--config", type=Path, help="config file (default: ./mlgate.yml if present)")
    cmp.add_argument("--json", dest="json_out", type=Path, help="write the results JSON here")
    cmp.add_argument(
        "--comment", dest="comment_out", type=Path, help="write the PR comment Markdown here"
    )
    cmp.add_argument(
        "--threshold",
        action="append",
        type=_threshold,
        default=[],
        metavar="METRIC=THRESHOLD",
        help="override a threshold, e.g. latency.p50=+3%% or accuracy=-1pp (repeatable)",
    )
    cmp.add_argument(
        "--target", action="append", default=[], help="run only this target (repeatable)"
    )
    cmp.add_argument(
        "--budget-seconds", type=_positive_float, help="latency time budget per target"
    )
    cmp.add_argument(
        "--no-memory", action="store_true", help="skip the peak-memory child processes"
    )
    cmp.add_argument(
        "--no-optimize", action="store_true", help="skip the search for a faster variant"
    )
    _add_search_budget(cmp)
    _add_log_arguments(cmp)

    chk = sub.add_parser(
        "check", help="gate every ONNX model that changed between two git revisions"
    )
    _add_check_arguments(chk)

    ben = sub.add_parser("bench", help="one matrix job: every changed model on one target")
    _add_check_arguments(ben, many_targets=False)

    pln = sub.add_parser("plan", help="print the GitHub matrix (targets) for the changed models")
    pln.add_argument("--base", required=True, help="base revision (merge-base with --head)")
    pln.add_argument("--head", default="HEAD", help="head revision (default: HEAD)")
    pln.add_argument("--config", type=Path, help="config file (default: ./mlgate.yml)")
    pln.add_argument(
        "--config-from",
        choices=["worktree", "base", "head"],
        default="worktree",
        help="read the config from the work tree (default) or a revision (`base` on pull "
        "requests: the pull request cannot choose its own targets)",
    )
    pln.add_argument("--models", action="append", default=[], metavar="GLOB")
    pln.add_argument(
        "--github-output",
        action="store_true",
        help="also write step outputs `matrix` (for strategy.matrix), `empty` and `models` "
        "to $GITHUB_OUTPUT",
    )

    gat = sub.add_parser("gate", help="merge every target's results into one verdict and comment")
    gat.add_argument("--results", type=Path, required=True, help="folder with the jobs' run.json")
    gat.add_argument("--config", type=Path, help="config file: the targets to expect")
    gat.add_argument("--comment", dest="comment_out", type=Path, help="write the comment here")
    gat.add_argument("--out", type=Path, help="merged run.json (default: RESULTS/merged-run.json)")

    his = sub.add_parser("history", help="main-branch history of results (orphan branch)")
    his_sub = his.add_subparsers(dest="history_command", required=True, parser_class=_Parser)
    rec = his_sub.add_parser(
        "record", help="commit the results of a run on main to the history branch"
    )
    rec.add_argument("--results", type=Path, required=True, help="folder with run.json files")
    rec.add_argument("--config", type=Path, help="config file: its history.branch")
    rec.add_argument("--branch", help="history branch (default: the config's, mlgate-history)")

    cal = sub.add_parser(
        "calibrate", help="measure A/A latency noise on this machine and suggest thresholds"
    )
    cal.add_argument(
        "model", nargs="?", type=Path, help="model to time (default: a ~1 ms reference)"
    )
    cal.add_argument("--data", type=Path, help="eval data .npz; its first batch is timed")
    cal.add_argument("--config", type=Path, help="config file (targets, warm-up)")
    cal.add_argument("--target", help="configured target to calibrate (default: the first)")
    cal.add_argument(
        "--trials", type=_trials, default=20, help="A/A comparisons to run (default 20)"
    )
    cal.add_argument(
        "--seconds", type=_positive_float, default=2.0, help="sampling time per trial (default 2)"
    )
    cal.add_argument(
        "--false-alarm-rate",
        type=_rate,
        default=0.01,
        help="target share of A/A comparisons that may fail (default 0.01)",
    )
    cal.add_argument("--json", dest="json_out", type=Path, help="write the calibration JSON here")

    prf = sub.add_parser(
        "profile", help="static profile: parameters, MACs by op and dtype, energy proxy"
    )
    prf.add_argument("model", help="model: a path, or REV:path read from git")
    prf.add_argument("--data", type=Path, help="eval data .npz: input shapes from its first batch")
    prf.add_argument("--config", type=Path, help="config file (default: ./mlgate.yml if present)")
    prf.add_argument(
        "--input",
        dest="inputs",
        action="append",
        type=_input_shape,
        default=[],
        metavar="NAME=D1,D2,…",
        help="concrete shape of an input (repeatable), e.g. input_ids=1,128",
    )
    prf.add_argument("--json", dest="json_out", type=Path, help="write the profile JSON here")

    opt = sub.add_parser(
        "optimize", help="find the fastest variant of a model within the accuracy budget"
    )
    opt.add_argument("model", help="model: a path, or REV:path read from git")
    opt.add_argument("--data", type=Path, help="eval data .npz (fidelity and calibration)")
    opt.add_argument("--config", type=Path, help="config file (default: ./mlgate.yml if present)")
    opt.add_argument("--target", help="configured target to optimize for (default: the first)")
    opt.add_argument(
        "--out",
        type=Path,
        default=Path("mlgate-optimized"),
        help="folder for the recommended model and its provenance record",
    )
    opt.add_argument("--json", dest="json_out", type=Path, help="write the search JSON here")
    opt.add_argument(
        "--budget-seconds",
        "--search-budget",
        type=_positive_float,
        help="time for the search (default: optimize.budget_seconds, else 180 s)",
    )
    _add_log_arguments(opt)

    exp = sub.add_parser("export", help="results in other tools' formats (dashboards, CSV)")
    exp.add_argument("results", nargs="+", type=Path, help="results or run.json files")
    exp.add_argument(
        "--format",
        required=True,
        choices=["github-action-benchmark", "csv"],
        help="github-action-benchmark: customSmallerIsBetter/customBiggerIsBetter JSON files",
    )
    exp.add_argument(
        "--out",
        type=Path,
        help="folder for github-action-benchmark files (default mlgate-export), or the CSV "
        "file (default: stdout)",
    )

    rep = sub.add_parser(
        "report", help="release sign-off report (HTML and Markdown) from a release's results"
    )
    rep.add_argument(
        "--results",
        type=Path,
        required=True,
        help="folder of results files (run.json, results.json) of this release",
    )
    rep.add_argument("--release", required=True, help="release name, e.g. v1.4.0")
    rep.add_argument(
        "--out",
        type=Path,
        default=Path("mlgate-report"),
        help="folder for report.html, report.md and release-results.json",
    )
    rep.add_argument(
        "--previous",
        type=Path,
        help="the previous release's results folder (its release-results.json)",
    )
    rep.add_argument(
        "--previous-release",
        default="",
        help="the previous release's name (default: read from its results)",
    )
    rep.add_argument(
        "--templates",
        type=Path,
        help="folder with your report.html.j2 / report.md.j2 (rendered sandboxed)",
    )
    rep.add_argument("--github-release", metavar="TAG",
                     help="attach the report to this tag's GitHub Release (GITHUB_TOKEN, "
                     "GITHUB_REPOSITORY); a draft release is created if there is none")  # fmt: skip

    dem = sub.add_parser("demo", help="run the full gate on a bundled real example")
    dem.add_argument("--out", type=Path, default=Path("mlgate-demo"), help="folder for the outputs")
    dem.add_argument("--budget-seconds", type=_positive_float, help="latency time budget")
    return parser


def _print_outcome(text: str, written: Sequence[Path]) -> None:
    _out(text)
    for path in written:
        _out(f"wrote {path}\n")


def _cache_dir() -> Path | None:
    from mlgate.results.search_cache import default_dir

    return default_dir(os.environ)


def _run(args: argparse.Namespace) -> int:
    progress = make_progress(args, os.environ)
    if args.command == "compare":
        from mlgate.commands.compare import CompareOptions, compare

        outcome = compare(
            CompareOptions(
                base=args.base,
                head=args.head,
                data=args.data,
                config=args.config,
                json_out=args.json_out,
                comment_out=args.comment_out,
                thresholds=dict(args.threshold),
                targets=tuple(args.target),
                budget_seconds=args.budget_seconds,
                measure_memory=not args.no_memory,
                optimize=not args.no_optimize,
                search_budget=args.search_budget,
                cache_dir=_cache_dir(),
                pytest_benchmark=tuple(args.pytest_benchmark) if args.pytest_benchmark else None,
                waivers_path=args.waivers,
                today=args.today,
            ),
            progress,
        )
        _print_outcome(outcome.summary, outcome.written)
        return outcome.exit_code
    if args.command in ("check", "bench"):
        return _check(args, progress)
    if args.command == "plan":
        from mlgate.commands.matrix import PlanOptions, plan, plan_json

        output = os.environ.get("GITHUB_OUTPUT")
        if args.github_output and not output:
            raise UsageError("--github-output: $GITHUB_OUTPUT is not set (not in a workflow)")
        matrix = plan(
            PlanOptions(
                args.base, args.head, Path(), args.config, tuple(args.models), args.config_from
            )
        )
        if output and args.github_output:
            from mlgate.commands.matrix import step_outputs
            from mlgate.github import runner

            runner.write_outputs(Path(output), step_outputs(matrix))
        if matrix["empty"]:
            sys.stderr.write("mlgate: no model changed: nothing to gate (empty matrix)\n")
        _out(plan_json(matrix))
        return 0
    if args.command == "gate":
        from mlgate.commands.matrix import GateOptions, gate

        gated = gate(GateOptions(args.results, args.config, args.comment_out, args.out))
        _print_outcome(gated.summary, gated.written)
        return gated.exit_code
    if args.command == "history":
        from mlgate.commands.history import record
        from mlgate.config import load_config

        branch = args.branch or load_config(args.config)[0].history.branch
        recorded = record(args.results, branch, Path())
        _out(recorded.summary())
        return 0
    if args.command == "optimize":
        from mlgate.commands.optimize import OptimizeOptions, optimize

        with progress.step("searching for a faster variant"):
            optimized = optimize(
                OptimizeOptions(
                    model=args.model,
                    data=args.data,
                    config=args.config,
                    target=args.target,
                    out_dir=args.out,
                    json_out=args.json_out,
                    budget_seconds=args.budget_seconds,
                )
            )
        _print_outcome(optimized.summary, optimized.written)
        return 0
    if args.command == "export":
        from mlgate.commands.export import ExportOptions, export

        exported = export(ExportOptions(tuple(args.results), args.format, args.out))
        _print_outcome(exported.text, exported.written)
        return 0
    if args.command == "report":
        from mlgate.commands.report import ReportOptions, report

        reported = report(
            ReportOptions(
                results=args.results,
                release=args.release,
                out=args.out,
                previous=args.previous,
                previous_release=args.previous_release,
                templates=args.templates,
                github_release=args.github_release,
            )
        )
        _print_outcome(reported.summary, reported.written)
        return reported.exit_code
    if args.command == "profile":
        from mlgate.commands.profile import ProfileOptions, profile

        with progress.step("profiling"):
            profiled = profile(
                ProfileOptions(
                    model=args.model,
                    data=args.data,
                    config=args.config,
                    inputs=dict(args.inputs),
                    json_out=args.json_out,
                )
            )
        _print_outcome(profiled.summary, profiled.written)
        return 0
    if args.command == "calibrate":
        from mlgate.commands.calibrate import CalibrateOptions, calibrate

        calibrated = calibrate(
            CalibrateOptions(
                model=args.model,
                data=args.data,
                config=args.config,
                target=args.target,
                trials=args.trials,
                seconds=args.seconds,
                false_alarm_rate=args.false_alarm_rate,
                json_out=args.json_out,
            ),
            progress,
        )
        _out(calibrated.summary)
        return calibrated.exit_code
    from mlgate.commands.demo import demo

    result = demo(args.out, progress, args.budget_seconds)
    _out(result.compare.summary)
    _out(
        f"\nThe demo PR {'fails' if result.compare.exit_code else 'passes'} the gate "
        f"(mlgate compare would exit {result.compare.exit_code}); the demo itself succeeded.\n"
    )
    _print_outcome("", [*result.compare.written, *result.report.written[:2]])
    return result.exit_code


def _check(args: argparse.Namespace, progress: Progress) -> int:
    from mlgate.commands.check import CheckOptions, check
    from mlgate.commands.matrix import bench
    from mlgate.render.environment import render_run_comment, render_run_summary

    options = CheckOptions(
        base=args.base,
        head=args.head,
        results_dir=args.out,
        model_globs=tuple(args.models),
        config_path=args.config,
        config_from=args.config_from,
        thresholds=dict(args.threshold),
        targets=tuple(args.target) if args.command == "check" else (),
        budget_seconds=args.budget_seconds,
        measure_memory=not args.no_memory,
        optimize=not args.no_optimize,
        search_budget=args.search_budget,
        cache_dir=_cache_dir(),
    )
    if args.command == "bench":
        outcome = bench(options, args.target, progress)
    else:
        outcome = check(options, progress)
    _out(render_run_summary(outcome.report))
    if args.comment_out is not None:
        args.comment_out.write_text(render_run_comment(outcome.report), encoding="utf-8")
        _out(f"wrote {args.comment_out}\n")
    _out(f"wrote {outcome.run_file}\n")
    if outcome.error is not None:
        raise outcome.error  # one line on stderr, exit 2 (bad input) or 3 (a bug)
    return outcome.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    try:
        with handle_errors():
            args = build_parser().parse_args(argv)
            return _run(args)
    except Exit as done:
        return done.code
    except SystemExit as done:  # --help / --version
        return int(done.code or 0)
