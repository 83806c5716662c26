"""Every git call goes through here. A `REV:path` model reference (e.g. `main:models/a.onnx`)
is materialised from git into a temporary folder, external data files included."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from mlgate.errors import GitError

_REV_PATH = re.compile(r"^(?P<rev>[^:\s][^:]*?):(?P<path>[^:].*)$")


def run_git(*args: str, cwd: Path | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, check=False, timeout=120
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took over 120 s") from None
    if done.returncode != 0:
        message = " ".join(done.stderr.decode(errors="replace").split())
        if "not a git repository" in message:
            raise GitError(
                "git failed: not inside a Git repository (a `REV:path` model reference "
                "needs one; run from the repository or pass file paths)"
            )
        raise GitError(f"git {' '.join(args)} failed: {message[:300]}")
    return done.stdout


def parse_rev_path(spec: str) -> tuple[str, str] | None:
    """`main:models/a.onnx` -> ("main", "models/a.onnx"); plain paths -> None."""
    if Path(spec).exists():
        return None
    match = _REV_PATH.match(spec)
    if not match or len(match["rev"]) == 1:  # a Windows drive letter, not a revision
        return None
    return match["rev"], match["path"]


def show_file(rev: str, path: str, cwd: Path | None = None) -> bytes:
    """File contents at `rev`; the path is relative to the repository root."""
    try:
        run_git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", cwd=cwd)
    except GitError:
        raise GitError(
            f"unknown git revision '{rev}' (fetch it, e.g. `git fetch origin {rev}`, or use "
            "fetch-depth: 0 on actions/checkout)"
        ) from None
    try:
        return run_git("show", f"{rev}:{path}", cwd=cwd)
    except GitError:
        raise GitError(f"'{path}' does not exist at git revision '{rev}'") from None
