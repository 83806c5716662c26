"""Every git call goes through here. Files at a revision (`GitPath`: base models, their
external data, config, waivers, eval data) are read from git objects, never the work tree."""

from __future__ import annotations

import os
import posixpath
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlgate.errors import GitError

# DOTALL: a file name may contain a newline, and is still a path at that revision.
_REV_PATH = re.compile(r"(?P<rev>[^:\s][^:]*?):(?P<path>[^:].*)", re.DOTALL)


def run_git(
    *args: str,
    cwd: Path | None = None,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
) -> bytes:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            check=False,
            timeout=120,
            env={**os.environ, **env} if env else None,
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


@dataclass(frozen=True)
class GitPath:
    """A file in a commit's git objects: never read through the work tree, whatever files
    the work tree holds. `path` is relative to the repository root, `/`-separated."""

    rev: str  # a commit: a full SHA, or a name that `git rev-parse` resolves
    path: str

    def __str__(self) -> str:
        rev = self.rev[:12] if _FULL_SHA.fullmatch(self.rev) else self.rev
        return f"{rev}:{self.path}"


_FULL_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_LOCAL_PREFIXES = ("./", "../", "/", ".\\", "..\\", "~")


def repo_path(path: str) -> str:
    """`path` normalised for a `rev:path` object name (root-relative, no `.` or `..` parts,
    so git never reads it relative to the current folder); one that leaves the repository
    is refused."""
    normal = posixpath.normpath(path) if path else ""
    if not normal or normal == "." or normal.startswith(("/", "../")) or normal == "..":
        raise GitError(f"'{path}' is not a file inside the repository")
    return normal


def _exists(spec: str) -> bool:
    """Whether a local path exists; a name the file system refuses (too long) does not."""
    try:
        return Path(spec).exists()
    except OSError:
        return False


def parse_model_ref(spec: str, cwd: Path | None = None) -> GitPath | None:
    """`main:models/a.onnx` -> GitPath (the path relative to the current folder, as typed);
    a plain path -> None. `REV:path` is a git reference whenever REV names a commit, even
    if a file of that exact name exists: write `./name:with:colon` to mean the file. A
    spec that looks like `REV:path` where REV names no commit is a file if one exists,
    else an unknown-revision error."""
    match = _REV_PATH.fullmatch(spec)
    if (
        spec.startswith(_LOCAL_PREFIXES)
        or not match
        or len(match["rev"]) == 1  # a Windows drive letter, not a revision
        or match["rev"].startswith("-")
    ):
        return None
    rev, path = match["rev"], match["path"]
    if not has_commit(rev, cwd):
        if _exists(spec):
            return None
        raise GitError(_unknown_revision(rev))
    prefix = run_git("rev-parse", "--show-prefix", cwd=cwd).decode("utf-8", "surrogateescape")
    return GitPath(rev, repo_path(posixpath.join(prefix.rstrip("\n"), path)))


def _unknown_revision(rev: str) -> str:
    return (
        f"unknown git revision '{rev}' (fetch it, e.g. `git fetch origin {rev}`, or use "
        "fetch-depth: 0 on actions/checkout)"
    )


def _object_name(ref: GitPath, cwd: Path | None) -> str:
    """`rev:path` for git, after checking that rev names a commit (never an option: it
    cannot start with `-`) and that the path is root-relative."""
    if ref.rev.startswith("-") or not has_commit(ref.rev, cwd):
        raise GitError(_unknown_revision(ref.rev))
    return f"{ref.rev}:{repo_path(ref.path)}"


def read_at(ref: GitPath, cwd: Path | None = None) -> bytes | None:
    """The one reader of a file at a revision (a model, config, waivers, eval data, a
    baseline): its bytes from git objects, or None when the commit has no such file."""
    name = _object_name(ref, cwd)
    try:
        run_git("cat-file", "-e", name, cwd=cwd)
    except GitError:
        return None
    blob = run_git("cat-file", "blob", name, cwd=cwd)
    # a Git LFS pointer stands for the real file: read it from the local LFS objects
    return lfs_smudge(ref.rev, ref.path, blob, cwd) if is_lfs_pointer(blob) else blob


def size_at(ref: GitPath, cwd: Path | None = None) -> int | None:
    """The size of a file's blob at a revision (before any LFS smudge), None when absent."""
    name = _object_name(ref, cwd)
    try:
        return int(run_git("cat-file", "-s", name, cwd=cwd))
    except GitError:
        return None


def toplevel(cwd: Path | None = None) -> str:
    """The root folder of the work tree `cwd` is in."""
    return (
        run_git("rev-parse", "--show-toplevel", cwd=cwd).decode("utf-8", "surrogateescape").strip()
    )


def read_blob(ref: GitPath, cwd: Path | None = None) -> bytes:
    """Like `read_at`, but a missing file is an error."""
    data = read_at(ref, cwd)
    if data is None:
        raise GitError(f"'{ref.path}' does not exist at git revision '{ref.rev}'")
    return data


def show_file(rev: str, path: str, cwd: Path | None = None) -> bytes:
    """File contents at `rev`; the path is relative to the repository root."""
    return read_blob(GitPath(rev, path), cwd)


def trust_directory(path: Path) -> None:
    """Let git work in a checkout owned by another user (the Action's `/github/workspace`).

    Uses git's environment config (`GIT_CONFIG_COUNT`), so no global file is changed."""
    index = int(os.environ.get("GIT_CONFIG_COUNT", "0") or 0)
    os.environ[f"GIT_CONFIG_KEY_{index}"] = "safe.directory"
    os.environ[f"GIT_CONFIG_VALUE_{index}"] = str(path)
    os.environ["GIT_CONFIG_COUNT"] = str(index + 1)


def has_commit(rev: str, cwd: Path | None = None) -> bool:
    if not rev or rev.startswith("-"):  # never an option to git
        return False
    try:
        run_git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", cwd=cwd)
    except GitError:
        return False
    return True


def resolve_commit(rev: str, cwd: Path | None = None) -> str:
    """The full SHA of `rev`; a branch name is also tried as `origin/<name>`."""
    for candidate in (rev, f"origin/{rev}", f"refs/remotes/origin/{rev}"):
        if has_commit(candidate, cwd):
            return run_git("rev-parse", f"{candidate}^{{commit}}", cwd=cwd).decode().strip()
    run_git("rev-parse", "--git-dir", cwd=cwd)  # outside a repository: say that, not "fetch"
    raise GitError(_missing_history(rev, cwd))


def is_shallow(cwd: Path | None = None) -> bool:
    return run_git("rev-parse", "--is-shallow-repository", cwd=cwd).decode().strip() == "true"


def _missing_history(rev: str, cwd: Path | None) -> str:
    hint = (
        "the checkout is shallow: set `fetch-depth: 0` on actions/checkout"
        if _safe_is_shallow(cwd)
        else f"fetch it (`git fetch origin {rev}`) or set `fetch-depth: 0` on actions/checkout"
    )
    return f"git revision '{rev}' is not in this checkout; {hint}"


def _safe_is_shallow(cwd: Path | None) -> bool:
    try:
        return is_shallow(cwd)
    except GitError:
        return False


def merge_base(base: str, head: str, cwd: Path | None = None) -> str:
    """The commit the head branch forked from (what a pull request is compared against)."""
    for rev in (base, head):
        if not has_commit(rev, cwd):
            raise GitError(_missing_history(rev, cwd))
    try:
        return run_git("merge-base", base, head, cwd=cwd).decode().strip()
    except GitError:
        raise GitError(
            f"no common ancestor of {base[:12]} and {head[:12]}"
            + (
                ": the checkout is shallow; set `fetch-depth: 0` on actions/checkout"
                if _safe_is_shallow(cwd)
                else ""
            )
        ) from None


@dataclass(frozen=True)
class FileChange:
    status: str  # A added, M modified, D deleted, R renamed, C copied, T type changed
    path: str  # the path at head (at base for deletions)
    old_path: str | None = None  # for renames and copies


def changed_files(base: str, head: str, cwd: Path | None = None) -> list[FileChange]:
    """Files that differ between two commits, renames detected (NUL-separated: any name)."""
    raw = run_git("diff", "--name-status", "-z", "-M", "--no-ext-diff", base, head, cwd=cwd)
    fields = raw.decode("utf-8", errors="surrogateescape").split("\0")
    changes: list[FileChange] = []
    i = 0
    while i < len(fields) and fields[i]:
        status = fields[i][0]
        if status in "RC":
            changes.append(FileChange(status, fields[i + 2], fields[i + 1]))
            i += 3
        else:
            changes.append(FileChange(status, fields[i + 1]))
            i += 2
    return changes


def list_files(rev: str, cwd: Path | None = None) -> list[str]:
    raw = run_git("ls-tree", "-r", "-z", "--name-only", rev, cwd=cwd)
    return [name for name in raw.decode("utf-8", errors="surrogateescape").split("\0") if name]


def file_exists(rev: str, path: str, cwd: Path | None = None) -> bool:
    try:
        run_git("cat-file", "-e", _object_name(GitPath(rev, path), cwd), cwd=cwd)
    except GitError:
        return False
    return True


def find_ref(names: tuple[str, ...], cwd: Path | None = None) -> str | None:
    """The first of `names` that names a commit here, as a full SHA."""
    for name in names:
        if has_commit(name, cwd):
            return run_git("rev-parse", f"{name}^{{commit}}", cwd=cwd).decode().strip()
    return None


def commit_files(
    branch: str, files: dict[str, bytes], message: str, cwd: Path | None = None
) -> str:
    """Add or replace `files` on `branch` (created as an orphan branch if missing) in one
    commit, without touching the work tree or the index; returns the new commit's SHA."""
    ref = f"refs/heads/{branch}"
    parent = find_ref((ref,), cwd)
    with tempfile.TemporaryDirectory(prefix="mlgate-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        if parent:
            run_git("read-tree", parent, cwd=cwd, env=env)
        for path, data in sorted(files.items()):
            blob = run_git("hash-object", "-w", "--stdin", cwd=cwd, stdin=data).decode().strip()
            run_git(
                "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", cwd=cwd, env=env
            )
        tree = run_git("write-tree", cwd=cwd, env=env).decode().strip()
    identity = {
        "GIT_AUTHOR_NAME": os.environ.get("GIT_AUTHOR_NAME", "mlgate"),
        "GIT_AUTHOR_EMAIL": os.environ.get("GIT_AUTHOR_EMAIL", "mlgate@users.noreply.github.com"),
        "GIT_COMMITTER_NAME": os.environ.get("GIT_COMMITTER_NAME", "mlgate"),
        "GIT_COMMITTER_EMAIL": os.environ.get(
            "GIT_COMMITTER_EMAIL", "mlgate@users.noreply.github.com"
        ),
    }
    parents = ("-p", parent) if parent else ()
    commit = (
        run_git("commit-tree", tree, *parents, "-m", message, cwd=cwd, env=identity)
        .decode()
        .strip()
    )
    run_git("update-ref", ref, commit, *((parent,) if parent else ("",)), cwd=cwd)
    return commit


_LFS_POINTER = re.compile(
    rb"\Aversion https://git-lfs\.github\.com/spec/v1\n(?:[a-z0-9.-]+ [^\n]*\n)*?"
    rb"oid sha256:[0-9a-f]{64}\n(?:[a-z0-9.-]+ [^\n]*\n)*\Z"
)


def is_lfs_pointer(blob: bytes) -> bool:
    """Whether a blob is a Git LFS pointer file (a few lines naming the real file's sha256)."""
    return len(blob) < 1024 and _LFS_POINTER.match(blob) is not None


def lfs_smudge(rev: str, path: str, pointer: bytes, cwd: Path | None = None) -> bytes:
    """The file a Git LFS pointer stands for, from the local LFS objects (git-lfs fetches a
    missing one from the remote when it can reach it)."""
    shown = posixpath.normpath(path)
    try:
        return run_git(
            "lfs", "smudge", "--", shown, cwd=cwd, stdin=pointer, env={"GIT_TERMINAL_PROMPT": "0"}
        )
    except GitError as error:
        if "is not a git command" in str(error):
            raise GitError(
                f"'{shown}' at git revision '{rev}' is stored with Git LFS and git-lfs is not "
                "installed: install it (e.g. `apt-get install git-lfs`)"
            ) from None
        raise GitError(
            f"'{shown}' at git revision '{rev}' is a Git LFS object that is not in this "
            f"checkout: run `git lfs fetch origin {rev}` before mlgate (in GitHub Actions set "
            "`lfs: true` on actions/checkout and fetch the base's objects the same way)"
        ) from None
