"""Models tracked by DVC: which changed between two commits (their `.dvc` files and `dvc.lock`
entries, read from git objects like every file at a revision), and their bytes from the local
DVC cache, checked against the md5 the commit records. The `dvc` package is not needed: the
files are small YAML documents, and `dvc pull` (run before mlgate) fills the cache."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mlgate import git
from mlgate.config import safe_yaml
from mlgate.errors import ConfigError, DvcError, GitError

MAX_META_BYTES = 4 * 1024 * 1024  # a .dvc file is a few lines; a big dvc.lock a few hundred KiB
LOCK_NAME = "dvc.lock"
DIRECTORY_REASON = (
    "a DVC-tracked directory: the models inside are not gated (mlgate reads DVC outputs that "
    "are single files; give each model its own `.dvc` file with `dvc add <model>.onnx`)"
)
UNHASHED_REASON = (
    "tracked by DVC without an md5 (an etag or checksum: `dvc import-url` or a cloud-versioned "
    "remote): mlgate reads DVC outputs from the cache by md5, so this change is not gated; "
    "track the model with `dvc add` to gate it"
)
DEFAULT_MAX_BYTES = 2048 * 1024 * 1024  # limits.model_size_mb's default
_MD5 = re.compile(r"[0-9a-f]{32}(\.dir)?")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class DvcOut:
    """One output DVC tracks: a file (or directory) of the repository and its md5."""

    path: str  # repository-relative, normalised
    md5: str  # 32 hex digits; a directory's ends with `.dir`; "" when DVC records none
    meta: str  # where it is declared, e.g. `models/net.onnx.dvc` or `dvc.lock (stage train)`
    other_hash: str = ""  # without an md5: the entry's etag/checksum/…, to see it change

    @property
    def is_directory(self) -> bool:
        return self.md5.endswith(".dir")

    @property
    def identity(self) -> str:
        return self.md5 or self.other_hash


@dataclass(frozen=True)
class TrackedChanges:
    files: list[git.FileChange]  # git's changes plus DVC outputs that changed, in git's terms
    directories: list[str]  # DVC-tracked directories that changed (their models: not gated)
    unhashed: list[str]  # outputs without an md5 that changed (not gated: UNHASHED_REASON)


def is_meta_file(path: str) -> bool:
    return path.endswith(".dvc") or posixpath.basename(path) == LOCK_NAME


def tracked_changes(
    base: str, head: str, changes: list[git.FileChange], repo: Path
) -> TrackedChanges:
    """`changes` (git's, between `base` and `head`) with the DVC outputs whose `.dvc` file or
    `dvc.lock` entry changed added as git would list them: M, A, D, or R (same md5, new
    path). A file git removed and DVC now tracks (or the reverse) is one change, M."""
    before: dict[str, DvcOut] = {}
    after: dict[str, DvcOut] = {}
    for change in changes:
        if change.status != "A" and is_meta_file(change.old_path or change.path):
            before.update(_outs_by_path(base, change.old_path or change.path, repo))
        if change.status != "D" and is_meta_file(change.path):
            after.update(_outs_by_path(head, change.path, repo))
    differ = sorted(p for p in before.keys() | after.keys() if _hash(before, p) != _hash(after, p))
    directories = [p for p in differ if (after.get(p) or before[p]).is_directory]
    unhashed = [p for p in differ if not (after.get(p) or before[p]).md5]
    files = [p for p in differ if p not in directories and p not in unhashed]
    merged = _merge(changes, _as_changes(files, before, after))
    return TrackedChanges(merged, directories, unhashed)


def _hash(outs: dict[str, DvcOut], path: str) -> str | None:
    out = outs.get(path)
    return None if out is None else out.identity


def _as_changes(
    paths: list[str], before: dict[str, DvcOut], after: dict[str, DvcOut]
) -> list[git.FileChange]:
    gone = {before[p].md5: p for p in paths if p not in after}
    changes: list[git.FileChange] = []
    renamed: set[str] = set()
    for path in paths:
        if path in before and path in after:
            changes.append(git.FileChange("M", path))
        elif path in after and after[path].md5 in gone:
            old = gone.pop(after[path].md5)
            renamed.add(old)
            changes.append(git.FileChange("R", path, old))
        elif path in after:
            changes.append(git.FileChange("A", path))
    changes += [git.FileChange("D", p) for p in paths if p not in after and p not in renamed]
    return changes


def _merge(found: list[git.FileChange], tracked: list[git.FileChange]) -> list[git.FileChange]:
    """Git's changes and DVC's; a path one adds and the other deletes becomes modified."""
    by_path = {c.path: c for c in found}
    merged = list(found)
    for change in tracked:
        other = by_path.get(change.path)
        if other is None:
            merged.append(change)
        elif {other.status, change.status} == {"A", "D"}:
            merged[merged.index(other)] = git.FileChange("M", change.path)
    return merged


def tracked_files(rev: str, metas: list[str], repo: Path) -> list[str]:
    """The files (not directories) that the DVC files `metas` declare at `rev`."""
    found: set[str] = set()
    for meta in metas:
        found.update(p for p, out in _outs_by_path(rev, meta, repo).items() if not out.is_directory)
    return sorted(found)


def tracked_out(ref: git.GitPath, repo: Path) -> DvcOut | None:
    """The DVC output that is `ref.path` at `ref.rev`: from `<path>.dvc` or a `dvc.lock` in
    its folder or one above, else any DVC file at `ref.rev` (`dvc add --file`, a renamed
    `.dvc`: the same files `tracked_changes` reads); None when DVC does not track it there."""
    path = git.repo_path(ref.path)
    usual = [path + ".dvc"] + [posixpath.join(folder, LOCK_NAME) for folder in _folders(path)]
    for meta in usual:
        out = _outs_by_path(ref.rev, meta, repo).get(path)
        if out is not None:
            return out
    others = [m for m in git.list_files(ref.rev, repo) if is_meta_file(m) and m not in usual]
    outs = [out for meta in others for out in _outs_by_path(ref.rev, meta, repo).values()]
    for out in outs:
        if out.path == path:
            return out
    for folder in _folders(path)[:-1]:  # a tracked folder holding it: say so, not "missing"
        if any(out.path == folder and out.is_directory for out in outs):
            raise DvcError(f"{path} at {_short(ref.rev)} is inside {DIRECTORY_REASON}")
    return None


def _folders(path: str) -> list[str]:
    """The folders above `path`, nearest first, ending with the root ("")."""
    folders = []
    while path:
        path = posixpath.dirname(path)
        folders.append(path)
    return folders


def read_tracked(ref: git.GitPath, repo: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes | None:
    """The bytes of a DVC-tracked file at `ref.rev`, from the DVC cache and checked against
    the md5 that commit records; None when DVC does not track it there."""
    out = tracked_out(ref, repo)
    if out is None:
        return None
    if out.is_directory:
        raise DvcError(f"{out.path} at {_short(ref.rev)} is {DIRECTORY_REASON}")
    if not out.md5:
        raise DvcError(f"{out.path} at {_short(ref.rev)} is {UNHASHED_REASON} ({out.meta})")
    return _from_cache(out, ref.rev, repo, max_bytes)


def read_blob(ref: git.GitPath, repo: Path | None, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """A file at a revision, from git objects or, when DVC tracks it there, the DVC cache
    (a cache file over `max_bytes` is refused before it is read)."""
    data = git.read_at(ref, repo)
    if data is None:
        data = read_tracked(ref, repo or Path(), max_bytes)
    return data if data is not None else git.read_blob(ref, repo)  # which says it is missing


def _cache_size(top: Path, name: Path, out: DvcOut, rev: str, max_bytes: int) -> int | None:
    """The size of a regular cache file (None when absent); a symlink (the file or a folder
    on its way), or a file over `max_bytes`, is refused before anything is read."""
    try:
        info = name.lstat()
    except OSError:
        return None
    shown = name.relative_to(top).as_posix()
    where = f"{out.path} at {_short(rev)}: the DVC cache entry {shown}"
    try:
        linked = name.resolve() != top.resolve() / shown
    except (OSError, RuntimeError):  # a symlink loop
        linked = True
    if linked or stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise DvcError(f"{where} is not a regular file (a symlink?): delete it and run `dvc pull`")
    if info.st_size > max_bytes:
        raise DvcError(
            f"{where} is {info.st_size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB "
            "limit; raise limits.model_size_mb in mlgate.yml if this is intended"
        )
    return info.st_size


def _from_cache(out: DvcOut, rev: str, repo: Path, max_bytes: int) -> bytes:
    top = Path(git.toplevel(repo))
    root = top / ".dvc" / "cache"
    names = (root / "files" / "md5" / out.md5[:2] / out.md5[2:], root / out.md5[:2] / out.md5[2:])
    for name in names:  # DVC 3's layout, then DVC 2's
        size = _cache_size(top, name, out, rev, max_bytes)
        if size is not None:
            with open(name, "rb", opener=_no_follow) as handle:
                data = handle.read(size + 1)  # a file that grew since is caught by the md5
            if hashlib.md5(data, usedforsecurity=False).hexdigest() == out.md5:
                return data
            raise DvcError(
                f"{out.path} at {_short(rev)}: the DVC cache file {name.relative_to(root.parent)} "
                f"does not match its md5 {out.md5} ({out.meta}); delete it and run `dvc pull`"
            )
    raise DvcError(
        f"{out.path} at {_short(rev)} is tracked by DVC ({out.meta}, md5 {out.md5}) and is not "
        "in the DVC cache (.dvc/cache): run `dvc pull` before mlgate, for the base commit too "
        "(see the README's DVC workflow)"
    )


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))


def _short(rev: str) -> str:
    return rev[:12] if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", rev) else rev


def _outs_by_path(rev: str, meta: str, repo: Path) -> dict[str, DvcOut]:
    """The outputs a `.dvc` file or `dvc.lock` at `rev` declares, by path ({} when absent)."""
    ref = git.GitPath(rev, meta)
    size = git.size_at(ref, repo)
    if size is None:
        return {}
    where = f"{meta} at {_short(rev)}"
    if size > MAX_META_BYTES:
        raise DvcError(f"{where} is {size:,} bytes, over {MAX_META_BYTES:,}: not a DVC file")
    text = git.read_at(ref, repo) or b""
    return {out.path: out for out in parse_outs(meta, text, where)}


def parse_outs(meta: str, text: bytes, where: str) -> list[DvcOut]:
    """The outputs declared in a `.dvc` file (`outs:`) or a `dvc.lock` (`stages: {name:
    {outs: …}}`); paths relative to the file's folder. Outputs outside the repository (URLs)
    are left out; those without an md5 (etag, checksum) keep their hash entries in
    `other_hash` so a change to them is seen (and listed as not gated)."""
    try:
        document = safe_yaml(text.decode("utf-8"), where)  # deep [[[ refused before parsing
    except (ConfigError, UnicodeDecodeError) as exc:
        problem = " ".join(str(exc).removeprefix(f"{where}: ").split())[:200]
        raise DvcError(f"{where} is not valid YAML ({problem}): fix or regenerate it") from None
    if document is None:
        return []
    if not isinstance(document, dict):
        raise DvcError(f"{where} is not a DVC file: expected a mapping, got {_kind(document)}")
    folder = posixpath.dirname(meta)
    if posixpath.basename(meta) != LOCK_NAME:
        return list(_outs(document.get("outs"), folder, where, meta))
    stages = document.get("stages", document)  # dvc.lock schema 2.0, else the 1.0 layout
    if not isinstance(stages, dict):
        raise DvcError(f"{where}: `stages` is not a mapping")
    found: list[DvcOut] = []
    for name, stage in stages.items():
        if name == "schema" or not isinstance(stage, dict):
            continue
        found += _outs(stage.get("outs"), folder, where, f"{meta} (stage {name})")
    return found


def _outs(entries: object, folder: str, where: str, meta: str) -> Iterable[DvcOut]:
    if entries is None:
        return
    if not isinstance(entries, list):
        raise DvcError(f"{where}: `outs` is not a list")
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
            raise DvcError(f"{where}: an entry of `outs` has no `path`")
        path, md5 = entry["path"], entry.get("md5")
        if _URL.match(path):
            continue
        if md5 is None:
            rest = {k: v for k, v in entry.items() if k != "path"}
            other = json.dumps(rest, sort_keys=True, default=str)
            yield DvcOut(_inside(folder, path, where), "", meta, other or "{}")
            continue
        if not isinstance(md5, str) or not _MD5.fullmatch(md5):
            raise DvcError(f"{where}: md5 {str(md5)[:80]!r} of {path[:200]!r} is not an md5")
        yield DvcOut(_inside(folder, path, where), md5, meta)


def _inside(folder: str, path: str, where: str) -> str:
    joined = posixpath.join(folder, path)
    try:
        if posixpath.isabs(path) or "\\" in path or "\0" in path:
            raise GitError(path)
        return git.repo_path(joined)
    except GitError:
        raise DvcError(
            f"{where}: output path {path[:200]!r} leaves the repository (outputs must be "
            "files inside it)"
        ) from None


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else type(value).__name__
