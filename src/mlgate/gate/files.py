"""The files that judge a change (config, waivers, eval and calibration data, pytest-benchmark
baselines), read from one place: a commit's git objects (on pull requests, the base), or the
work tree when no revision is chosen. One reader, so no judging file slips through the work
tree, which on a pull request is the author's."""

from __future__ import annotations

import dataclasses
import posixpath
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlgate import git
from mlgate.errors import DataError, GitError
from mlgate.model.load import LFS_POINTER_PREFIX

if TYPE_CHECKING:  # the plan job reads gate files without a model runtime installed
    from mlgate.bench.inputs import EvalData


@dataclass(frozen=True)
class GateFiles:
    """Where relative names are read: `root` (a work-tree folder) when `rev` is None, else
    the commit `rev` in the repository at `root`, names starting at its folder `folder`."""

    root: Path
    rev: str | None = None
    folder: str = ""

    def ref(self, name: str) -> git.GitPath:
        assert self.rev is not None
        return git.GitPath(self.rev, git.repo_path(posixpath.join(self.folder, name)))

    def where(self, name: str) -> str:
        """The name as reports show it: `data/eval.npz at 1a2b3c4` or the work-tree path."""
        if self.rev is None:
            return str(self.root / name)
        return f"{self.ref(name).path} at {self.rev[:7]}"

    def read(self, name: str) -> bytes | None:
        """The file's bytes, or None when it does not exist there."""
        if self.rev is None:
            local = self.root / name
            return local.read_bytes() if local.is_file() else None
        return git.read_at(self.ref(name), self.root)

    def text(self, name: str) -> str | None:
        data = self.read(name)
        return None if data is None else data.decode("utf-8", errors="replace")

    def local(self, name: str, workdir: Path) -> Path:
        """A file on disk holding it: the work-tree file itself, or the git blob copied into
        `workdir`. Missing: a path that does not exist (the caller's reader says so)."""
        if self.rev is None:
            return self.root / name
        data = self.read(name)
        target = workdir / "gate-files" / self.ref(name).path
        if data is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        return target


def eval_data_at(
    files: GateFiles, name: str, workdir: Path, labels_key: str, max_mb: float
) -> EvalData:
    """Eval data (also the optimizer's calibration data) with the usual `.npz` checks; from
    git, the blob is checked on a private copy and reported under its `path at rev` name."""
    from mlgate.bench.inputs import load_eval_data  # imports onnxruntime: only here

    if files.rev is None:
        return load_eval_data(files.root / name, labels_key, max_mb)
    try:
        local = files.local(name, workdir)
    except GitError as exc:
        raise DataError(
            f"eval data '{name}': {exc}; on pull requests the eval data is read from the base "
            "commit: give a path in the repository, relative to it"
        ) from None
    shown = files.where(name)
    if _is_lfs_pointer(local):
        raise DataError(
            f"{shown} is a Git LFS pointer in the base commit: eval data that judges a pull "
            "request is read from the base's git objects, which hold only the pointer; commit "
            "it as a plain file (not through LFS)"
        )
    try:
        data = load_eval_data(local, labels_key, max_mb)
    except DataError as exc:
        raise DataError(str(exc).replace(str(local), shown)) from None
    return dataclasses.replace(data, display=shown)


def _is_lfs_pointer(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as handle:
        return handle.read(len(LFS_POINTER_PREFIX)) == LFS_POINTER_PREFIX


def changed_note(base: GateFiles, head_rev: str, name: str, what: str) -> str | None:
    """A note when the pull request changes a judging file read from the base, else None."""
    head = dataclasses.replace(base, rev=head_rev)
    if base.rev is None or base.read(name) == head.read(name):
        return None
    return f"{base.ref(name).path} changes in this pull request; {what}"
