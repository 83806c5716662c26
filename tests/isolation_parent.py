"""A gate stand-in for the isolation lifecycle tests: it runs one spinning child through the
real runner, in its own process, so that the tests can signal it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from mlgate.isolation import ChildLimits, run_isolated
from mlgate.progress import NoProgress


def spins(channel: object, pid_file: str) -> None:
    Path(pid_file).write_text(str(os.getpid()))
    while True:  # a model stuck at full CPU
        pass


def main() -> None:
    pid_file, timeout = sys.argv[1], float(sys.argv[2])
    run_isolated(spins, (pid_file,), ChildLimits(timeout), "spinning", NoProgress(), print)


if __name__ == "__main__":
    main()
