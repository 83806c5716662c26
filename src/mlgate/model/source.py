"""Resolve a model reference to a file on disk: a plain path, or `REV:path` read from git
(with its external data files, each checked to stay inside the model's folder)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

import onnx
from google.protobuf.message import DecodeError

from mlgate import git
from mlgate.model.load import external_locations, safe_external_path


@dataclass(frozen=True)
class ModelSource:
    local: Path  # the file to open
    display: str  # as the user wrote it: `models/a.onnx` or `main:models/a.onnx`
    repo_path: str  # the path config globs are matched against


def resolve(spec: str, workdir: Path, git_dir: Path | None = None) -> ModelSource:
    """Where `spec` lives on disk; git references (read in `git_dir`, default the current
    directory) are written under `workdir`."""
    parsed = git.parse_rev_path(spec)
    if parsed is None:
        return ModelSource(Path(spec), spec, spec)
    rev, path = parsed
    relative = path if path.startswith(("./", "../")) else f"./{path}"
    folder = workdir / rev.replace("/", "_").replace("\\", "_")
    folder.mkdir(parents=True, exist_ok=True)
    local = folder / Path(path).name
    local.write_bytes(git.show_file(rev, relative, git_dir))
    _materialise_external_data(local, rev, posixpath.dirname(relative), spec, git_dir)
    return ModelSource(local, spec, path)


def _materialise_external_data(
    local: Path, rev: str, folder: str, display: str, git_dir: Path | None
) -> None:
    try:
        proto = onnx.load_model(str(local), load_external_data=False)
    except (DecodeError, ValueError, OSError):
        return  # load_model reports the broken file with the full message
    for location, _, _ in external_locations(proto):
        target = safe_external_path(local.parent, location, display)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            location_in_repo = posixpath.join(folder or ".", location)
            target.write_bytes(git.show_file(rev, location_in_repo, git_dir))
