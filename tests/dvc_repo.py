"""Real git repositories laid out as DVC leaves them, written by hand (no `dvc` package): a
`.dvc` file or `dvc.lock` entry with the md5 of the real bytes, the file itself git-ignored,
and its bytes in the DVC cache (DVC 3's `.dvc/cache/files/md5/ab/cdef…` or DVC 2's
`.dvc/cache/ab/cdef…`), as `dvc add` / `dvc repro` and `dvc pull` would leave them."""

from __future__ import annotations

import hashlib
import posixpath
import shutil
from pathlib import Path

from tests.github.actions_runtime import CONFIG, DEMO, Repo, git


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def cache_file(repo: Path, digest: str, legacy: bool = False) -> Path:
    root = repo / ".dvc" / "cache"
    return (root if legacy else root / "files" / "md5") / digest[:2] / digest[2:]


def init_dvc(repo: Path) -> None:
    (repo / ".dvc").mkdir(parents=True, exist_ok=True)
    (repo / ".dvc" / ".gitignore").write_text("/config.local\n/tmp\n/cache\n")
    (repo / ".dvc" / "config").write_text("")


def dvc_add(repo: Path, path: str, data: bytes, legacy: bool = False) -> str:
    """What `dvc add PATH` (then `dvc push`/`dvc pull`) leaves: PATH.dvc, PATH git-ignored,
    the bytes in the work tree and in the cache. Returns the md5."""
    digest = md5(data)
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    cached = cache_file(repo, digest, legacy)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(data)
    name = posixpath.basename(path)
    hash_line = "" if legacy else "  hash: md5\n"
    (repo / f"{path}.dvc").write_text(
        f"outs:\n- md5: {digest}\n  size: {len(data)}\n{hash_line}  path: {name}\n"
    )
    ignore = target.parent / ".gitignore"
    lines = ignore.read_text().splitlines() if ignore.exists() else []
    if f"/{name}" not in lines:
        ignore.write_text("\n".join([*lines, f"/{name}"]) + "\n")
    return digest


def dvc_lock(repo: Path, stages: dict[str, dict[str, bytes]], folder: str = "") -> None:
    """A dvc.lock (schema 2.0) whose stages output these files (paths relative to `folder`),
    each file written, cached and git-ignored as `dvc repro` leaves it."""
    lines = ["schema: '2.0'", "stages:"]
    for stage, outs in stages.items():
        lines += [f"  {stage}:", f"    cmd: python {stage}.py", "    outs:"]
        for path, data in outs.items():
            digest = md5(data)
            target = repo / folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            cached = cache_file(repo, digest)
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(data)
            lines += [f"    - path: {path}", "      hash: md5", f"      md5: {digest}"]
            lines += [f"      size: {len(data)}"]
            (repo / folder / ".gitignore").write_text(
                "".join(f"/{p}\n" for s in stages.values() for p in s)
            )
    (repo / folder / "dvc.lock").write_text("\n".join(lines) + "\n")


def make_dvc_repo(root: Path, config: str | None = CONFIG, legacy: bool = False) -> Repo:
    """`main` holds the demo's base model as models/digits.onnx tracked by DVC; branch
    `feature` replaces it with the demo's head model (only the `.dvc` file changes in git)."""
    repo = root / "workspace"
    (repo / "data").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    init_dvc(repo)
    dvc_add(repo, "models/digits.onnx", (DEMO / "base.onnx").read_bytes(), legacy)
    shutil.copy(DEMO / "eval.npz", repo / "data" / "eval.npz")
    if config is not None:
        (repo / "mlgate.yml").write_text(config)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    git(repo, "checkout", "-q", "-b", "feature")
    dvc_add(repo, "models/digits.onnx", (DEMO / "head.onnx").read_bytes(), legacy)
    git(repo, "commit", "-q", "-am", "bigger model")
    head = git(repo, "rev-parse", "HEAD")
    git(repo, "branch", "-f", "main", base)
    return Repo(repo, base, head, head)
