"""The Action's search cache folder, used only where the pull request cannot have written it.

The workspace is the pull request's checkout: a folder the PR committed (cache records whose
every key field is computable, or a symlink pointing elsewhere) would let it choose the
recommendation and the base deployment its portability is judged under. Records restored by
actions/cache are not in git, so a committed file under the folder means it is not ours."""

from __future__ import annotations

import os
from pathlib import Path

from mlgate import git
from mlgate.errors import MlgateError
from mlgate.progress import Progress


def trusted_cache_dir(
    workspace: Path, folder_name: str, head: str, progress: Progress
) -> Path | None:
    """The folder (relative to the workspace, or absolute), or None (no cache, with a note)
    when it lies in the checkout and passes through a symlink or holds anything committed
    at `head`. A folder outside the checkout (e.g. under $RUNNER_TEMP) is always ours."""
    if not folder_name:
        return None
    folder = Path(os.path.normpath(workspace / folder_name))
    reason = _untrusted(workspace, folder, folder_name, head)
    if reason is None:
        return folder
    progress.note(f"search cache not used: {reason}; the search runs afresh")
    return None


def _untrusted(workspace: Path, folder: Path, name: str, head: str) -> str | None:
    try:
        inside = folder.relative_to(workspace)
    except ValueError:
        return None  # outside the checkout: the pull request cannot write there
    path = workspace
    for part in inside.parts:
        path = path / part
        if path.is_symlink():
            return f"{name} passes through a symbolic link ({part})"
    try:
        committed = git.run_git(
            "ls-tree", "-r", "--name-only", head, "--", inside.as_posix() or ".", cwd=workspace
        )
    except MlgateError:  # e.g. a shallow checkout without the head: the check says so itself
        return f"what the head commit holds under {name} cannot be listed"
    if committed.strip():
        return (
            f"{name} holds files committed to the repository, which a pull request could "
            "have written (keep the folder out of git, e.g. in .gitignore)"
        )
    return None
