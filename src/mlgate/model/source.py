"""Resolve a model reference to a file on disk: a local path, or a `GitPath` read from git
objects (with its external data files from the same commit, each checked to stay inside the
model's folder). Never the work tree for a git reference, whatever files it holds."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

import onnx
from google.protobuf.message import DecodeError

from mlgate import dvc, git
from mlgate.model.load import external_locations, safe_external_path

ModelRef = str | Path | git.GitPath  # str: as typed on the command line (`REV:path` or a path)


@dataclass(frozen=True)
class ModelSource:
    local: Path  # the file to open
    display: str  # as the user wrote it: `models/a.onnx` or `main:models/a.onnx`
    repo_path: str  # the path config globs are matched against


def resolve(
    ref: ModelRef,
    workdir: Path,
    git_dir: Path | None = None,
    max_bytes: int = dvc.DEFAULT_MAX_BYTES,
) -> ModelSource:
    """Where `ref` lives on disk; git references (read in `git_dir`, default the current
    directory) are written under `workdir` (a DVC cache file over `max_bytes` is refused
    unread). A string is parsed as the command line's
    `REV:path` (REV names a commit) or a path (`./name:with:colon` is always a path)."""
    if isinstance(ref, str):
        parsed = git.parse_model_ref(ref, git_dir)
        if parsed is None:
            return ModelSource(Path(ref), ref, ref)
        ref = parsed
    if isinstance(ref, Path):
        return ModelSource(ref, str(ref), ref.as_posix())
    folder = workdir / "git"
    folder.mkdir(parents=True, exist_ok=True)
    local = folder / (posixpath.basename(ref.path) or "model.onnx")
    local.write_bytes(dvc.read_blob(ref, git_dir, max_bytes))  # git, or the DVC cache
    _materialise_external_data(local, ref, git_dir, max_bytes)
    return ModelSource(local, str(ref), ref.path)


def _materialise_external_data(
    local: Path, ref: git.GitPath, git_dir: Path | None, max_bytes: int
) -> None:
    """Each external data file the model names, from the model's commit (the path checked
    to stay inside the model's folder before anything is read)."""
    try:
        proto = onnx.load_model(str(local), load_external_data=False)
    except (DecodeError, ValueError, OSError):
        return  # load_model reports the broken file with the full message
    folder = posixpath.dirname(ref.path)
    for location, _, _ in external_locations(proto):
        target = safe_external_path(local.parent, location, str(ref))
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            in_repo = posixpath.join(folder, target.relative_to(local.parent.resolve()).as_posix())
            data = dvc.read_blob(git.GitPath(ref.rev, in_repo), git_dir, max_bytes)
            target.write_bytes(data)
