"""What every command's bad input must look like: exit 2 and one line on stderr."""

from __future__ import annotations

import pytest

from mlgate.cli import main


def one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run `mlgate ARGV`, check it exits 2 with exactly one stderr line, and return it."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("mlgate: error: "), err
    return err
