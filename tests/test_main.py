"""`python -m mlgate` is the command line, with its exit code."""

from __future__ import annotations

import subprocess
import sys

from mlgate import __version__


def test_python_m_mlgate_runs_the_cli_and_returns_its_exit_code():
    shown = subprocess.run(
        [sys.executable, "-m", "mlgate", "--version"], capture_output=True, text=True, check=False
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.splitlines()[0] == f"mlgate {__version__}"
    wrong = subprocess.run(
        [sys.executable, "-m", "mlgate"],  # no command: a usage error
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert wrong.returncode == 2
    assert wrong.stderr.startswith("mlgate: error: the following arguments are required")
