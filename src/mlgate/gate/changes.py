"""Which models a change touches: ONNX files matching the globs that git reports as added,
modified, renamed or deleted between two commits (or whose `.dvc` file or `dvc.lock` entry
changed: mlgate.dvc), and models whose external data changed."""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import onnx
from google.protobuf.message import DecodeError

from mlgate import dvc, git
from mlgate.config import glob_matches, glob_may_match_under
from mlgate.errors import DvcError, ModelError
from mlgate.model.load import external_locations
from mlgate.results.schema import ModelChange

DEFAULT_MODEL_GLOB = "**/*.onnx"


def slug(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "__", path.removesuffix(".onnx")).strip("_") or "model"


def _matches(path: str, globs: tuple[str, ...]) -> bool:
    return path.endswith(".onnx") and any(glob_matches(g, path) for g in globs)


def detect_changes(base: str, head: str, globs: tuple[str, ...], repo: Path) -> list[ModelChange]:
    """Models matching `globs` that changed, including models whose external data changed."""
    changes: list[ModelChange] = []
    changed_data: set[str] = set()
    # DVC: a model whose `.dvc` file or `dvc.lock` entry changed counts as changed
    tracked = dvc.tracked_changes(base, head, git.changed_files(base, head, repo), repo)
    for change in tracked.files:
        if _matches(change.path, globs) or (change.old_path and _matches(change.old_path, globs)):
            changes.append(_model_change(change))
        elif not dvc.is_meta_file(change.path):  # perhaps a model's external data
            changed_data.add(change.path)
    changes += [_dvc_directory(path) for path in tracked.directories if _may_hold(path, globs)]
    changes += [_dvc_unhashed(path) for path in tracked.unhashed if _matches(path, globs)]
    changed_data.update(p for p in tracked.unhashed if not p.endswith(".onnx"))
    data_dirs = {posixpath.dirname(path) for path in changed_data}
    seen = {c.path for c in changes}
    listed = git.list_files(head, repo) if data_dirs else []
    metas = [m for m in listed if dvc.is_meta_file(m)]  # `dvc add --file` puts them anywhere
    for path in listed + dvc.tracked_files(head, metas, repo):
        if (
            path in seen
            or not _matches(path, globs)
            or not _under(posixpath.dirname(path), data_dirs)
        ):
            continue
        if _uses_changed_data(head, path, changed_data, repo):
            changes.append(ModelChange(path=path, status="modified"))
    return sorted(changes, key=lambda c: c.path)


def _dvc_directory(path: str) -> ModelChange:
    return ModelChange(path + "/", "modified", gated=False, reason=dvc.DIRECTORY_REASON)


def _dvc_unhashed(path: str) -> ModelChange:
    return ModelChange(path, "modified", gated=False, reason=dvc.UNHASHED_REASON)


def _may_hold(folder: str, globs: tuple[str, ...]) -> bool:
    """Whether a model the globs match could be in `folder` (a DVC-tracked directory), at
    any depth: `models/*/resnet*.onnx` may match inside `models/v2`."""
    return any(glob_may_match_under(g, folder) for g in globs)


def _under(folder: str, dirs: set[str]) -> bool:
    """Whether any of `dirs` is `folder` or below it (where its external data may live)."""
    return any(not folder or d == folder or d.startswith(folder + "/") for d in dirs)


def _model_change(change: git.FileChange) -> ModelChange:
    if change.status == "A":
        return ModelChange(
            change.path,
            "added",
            gated=False,
            reason="new model: nothing to compare against; later changes to it are gated",
        )
    if change.status == "D":
        return ModelChange(change.path, "deleted", gated=False, reason="removed in this change")
    if change.status in "RC":
        return ModelChange(change.path, "renamed", base_path=change.old_path)
    return ModelChange(change.path, "modified")


def _uses_changed_data(rev: str, path: str, changed: set[str], repo: Path) -> bool:
    """Whether the model at `rev:path` keeps tensors in one of the `changed` files. When that
    cannot be told (a DVC model not pulled here, as in the plan job; a model that does not
    parse), it may: the model is gated, and gating reads it or says why it cannot."""
    folder = posixpath.dirname(path)
    try:
        proto = onnx.load_model_from_string(dvc.read_blob(git.GitPath(rev, path), repo))
        locations = [location for location, _, _ in external_locations(proto)]
    except (DecodeError, ValueError, RuntimeError, DvcError, ModelError):
        return True
    return any(posixpath.normpath(posixpath.join(folder, loc)) in changed for loc in locations)
