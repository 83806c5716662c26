"""Turns exceptions into one line on stderr and an exit code.

0 pass, 1 regression found, 2 bad input/config/usage, 3 internal error, 130 interrupted.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from mlgate import __version__
from mlgate.errors import MlgateError
from mlgate.render.untrusted import neutralise_commands

EXIT_PASS = 0
EXIT_REGRESSION = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


class Exit(Exception):
    """Raised by `handle_errors` to carry the exit code out of the `with` block."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _one_line(text: str) -> str:
    """Messages quote file names and PR text: one line, no workflow command in it."""
    return neutralise_commands(" ".join(text.split())) or "(no message)"


def _write_crash_log(exc: BaseException) -> Path:
    fd, name = tempfile.mkstemp(prefix="mlgate-crash-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as log:
        log.write(f"mlgate {__version__}, python {sys.version.split()[0]}\n")
        log.write("".join(traceback.format_exception(exc)))
        child = getattr(exc, "child_traceback", "")
        if child:  # raised in an isolation child: its own traceback is the useful one
            log.write("\nin the child process:\n" + child)
    return Path(name)


@contextlib.contextmanager
def handle_errors(stderr: TextIO | None = None) -> Iterator[None]:
    """Run the body; map any exception to a one-line message and raise `Exit(code)`."""
    err = stderr or sys.stderr
    try:
        yield
    except MlgateError as exc:
        err.write(f"mlgate: error: {_one_line(str(exc))}\n")
        raise Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err.write("mlgate: interrupted\n")
        raise Exit(EXIT_INTERRUPTED) from None
    except Exception as exc:
        log = _write_crash_log(exc)
        err.write(
            f"mlgate: internal error: {type(exc).__name__}: {_one_line(str(exc))} "
            f"(this is a bug; traceback in {log})\n"
        )
        raise Exit(EXIT_INTERNAL) from None
