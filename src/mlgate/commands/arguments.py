"""What every command's argument parser shares: the parser class (usage errors exit 2 with
one line), argument types that say what is wrong, the common flag groups, the options
record built from the parsed arguments, and `Io`: what a command may use of its front end."""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mlgate.errors import MlgateError

if TYPE_CHECKING:
    from mlgate.progress import Progress

    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]

T = TypeVar("T")
ONE_DAY = 86_400.0  # the largest time budget a flag accepts (as in mlgate.yml)
_MAX_DIM = 2**31 - 1


class UsageError(MlgateError):
    """Bad command-line usage."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


@dataclass(frozen=True)
class Io:
    """What a command may use of the front end that runs it: `out` writes text to stdout
    (made safe there), `err` one line to stderr, `progress` reports steps, `env` is the
    environment. Commands print nothing themselves."""

    out: Callable[[str], None]
    err: Callable[[str], None]
    progress: Progress
    env: Mapping[str, str]

    def outcome(self, text: str, written: Sequence[Path]) -> None:
        """A command's summary, then one `wrote PATH` line per file it wrote."""
        self.out(text)
        for path in written:
            self.out(f"wrote {path}\n")


def options_from(cls: Callable[..., T], args: argparse.Namespace, **given: Any) -> T:
    """The options record `cls` (a dataclass) from the parsed arguments whose names match its
    fields (lists become tuples), plus what the command adds in `given`."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    found = {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in vars(args).items()
        if name in names and name not in given
    }
    return cls(**found, **given)


class KeyValues(argparse.Action):
    """A repeatable NAME=VALUE option collected into a dict (the type returns the pair)."""

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        found = dict(getattr(namespace, self.dest) or {})
        name, value = values
        found[name] = value
        setattr(namespace, self.dest, found)


def seconds_or_off(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0 <= value <= ONE_DAY:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 0 (off) and 86400 seconds")
    return value


def threshold(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"'{text}' is not METRIC=THRESHOLD (e.g. latency.p50=+3%)")
    return name.strip(), value.strip()


def positive_float(text: str) -> float:
    """Seconds (or a rate): a finite number above zero, at most a day."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not math.isfinite(value) or value <= 0 or value > ONE_DAY:
        raise argparse.ArgumentTypeError(
            f"'{text}' must be a number above zero and at most {ONE_DAY:.0f} (one day)"
        )
    return value


def rate(text: str) -> float:
    value = positive_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be a fraction between 0 and 1")
    return value


def trials(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 10_000:
        raise argparse.ArgumentTypeError(f"'{text}' must be between 1 and 10000")
    return value


def date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def input_shape(text: str) -> tuple[str, list[int]]:
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


def add_log_arguments(parser: argparse.ArgumentParser) -> None:
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "--quiet", action="store_true", help="print nothing but errors and the final summary"
    )
    loudness.add_argument(
        "--verbose", action="store_true", help="also print the notes of each step"
    )


def add_search_budget(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--search-budget",
        type=seconds_or_off,
        metavar="SECONDS",
        help="time for the variant search per model and target (0: off; default: what is "
        "left of a 180 s bill after measuring)",
    )


def add_thresholds(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threshold",
        dest="thresholds",
        action=KeyValues,
        type=threshold,
        default={},
        metavar="METRIC=THRESHOLD",
        help="override a threshold, e.g. latency.p50=+3%% or accuracy=-1pp (repeatable)",
    )


def add_measure_arguments(parser: argparse.ArgumentParser) -> None:
    """How much to measure: the latency budget, memory, the variant search, the log."""
    parser.add_argument(
        "--budget-seconds", type=positive_float, help="latency time budget per target"
    )
    parser.add_argument(
        "--no-memory",
        dest="measure_memory",
        action="store_false",
        help="skip the peak-memory child processes",
    )
    parser.add_argument(
        "--no-optimize",
        dest="optimize",
        action="store_false",
        help="skip the search for a faster variant",
    )
    add_search_budget(parser)
    add_log_arguments(parser)


def add_revisions(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base", required=True, help="base revision; compared at its merge-base with --head"
    )
    parser.add_argument("--head", default="HEAD", help="head revision (default: HEAD)")


def add_config_from(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config-from",
        choices=["worktree", "base", "head"],
        default="worktree",
        help="read the config from the work tree (default) or a revision (`base` on pull "
        "requests: a pull request cannot relax its own gate)",
    )


def add_check_arguments(parser: argparse.ArgumentParser) -> None:
    """What `check` and `bench` share: revisions, models, config, outputs, settings."""
    add_revisions(parser)
    parser.add_argument(
        "--models",
        dest="model_globs",
        action="append",
        default=[],
        metavar="GLOB",
        help="only models matching this glob (repeatable; default: the config's, else **/*.onnx)",
    )
    parser.add_argument(
        "--config",
        dest="config_path",
        default="mlgate.yml",
        help="config path in the repository",
    )
    add_config_from(parser)
    parser.add_argument(
        "--out",
        dest="results_dir",
        type=Path,
        default=Path("mlgate-results"),
        help="folder for run.json and results",
    )
    parser.add_argument("--comment", dest="comment_out", type=Path, help="write the comment here")
    add_thresholds(parser)
    add_measure_arguments(parser)


def cache_dir(env: Mapping[str, str]) -> Path | None:
    """Where variant-search results are kept between runs (MLGATE_CACHE_DIR, else XDG)."""
    from mlgate.results.search_cache import default_dir

    return default_dir(env)
