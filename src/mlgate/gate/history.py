"""Main-branch history in git: `mlgate history record` commits main's results to an orphan
branch (default `mlgate-history`) without touching the work tree; pull-request runs read
the last record for each base model and target from that branch (local or `origin/`).

Layout on the branch: `models/<model sha256>/<target>-<fingerprint>.json`, one small JSON
record each (see `results/history.py`); git's own history keeps every earlier version."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from mlgate import git
from mlgate.errors import DataError, GitError
from mlgate.results.history import RecordReader, build_records
from mlgate.results.store import read_run

RUN_FILE = "run.json"


def history_ref(branch: str, repo: Path) -> str | None:
    """The history branch's commit: the local branch, else the fetched `origin/` one."""
    return git.find_ref((f"refs/heads/{branch}", f"refs/remotes/origin/{branch}"), repo)


def git_reader(ref: str, repo: Path) -> RecordReader:
    def read(model_sha256: str) -> list[tuple[str, bytes]]:
        folder = f"models/{model_sha256}"
        if not git.file_exists(ref, folder, repo):
            return []
        names = git.run_git("ls-tree", "-z", "--name-only", f"{ref}:{folder}", cwd=repo)
        return [
            (name, git.show_file(ref, f"{folder}/{name}", repo))
            for name in names.decode("utf-8", errors="replace").split("\0")
            if name.endswith(".json")
        ]

    return read


@dataclass(frozen=True)
class RecordOutcome:
    branch: str
    commit: str | None  # None: nothing to record
    paths: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.commit is None:
            return "mlgate: no measured results to record (no model changed, or all failed)\n"
        lines = [f"recorded {len(self.paths)} result(s) on {self.branch} ({self.commit[:7]}):"]
        lines += [f"  {path}" for path in self.paths]
        lines.append(f"push it: git push origin {self.branch}")
        return "\n".join(lines) + "\n"


def _leaf_runs(results_dir: Path) -> list[Path]:
    """Each job's own `run.json`: a merged one above them (whose per-model provenance is
    only the first job's) is left out, so every fingerprint names the machine it ran on."""
    runs = sorted(results_dir.rglob(RUN_FILE))
    return [run for run in runs if not any(o != run and run.parent in o.parents for o in runs)]


def record(
    results_dir: Path, branch: str, repo: Path, now: datetime | None = None
) -> RecordOutcome:
    runs = _leaf_runs(results_dir)
    if not runs:
        raise DataError(
            f"no {RUN_FILE} under {results_dir}: run `mlgate check` (or the matrix jobs) first"
        )
    recorded_at = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    files: dict[str, bytes] = {}
    commits = set()
    for path in runs:
        report = read_run(path)
        commits.add(report.context.head_sha)
        files.update(build_records(report, recorded_at))
    if not files:
        return RecordOutcome(branch, None)
    message = f"mlgate: results of {', '.join(sorted(c[:12] for c in commits if c))}"
    try:
        commit = git.commit_files(branch, files, message, repo)
    except GitError as exc:
        raise GitError(f"could not record history on {branch}: {exc}") from None
    return RecordOutcome(branch, commit, sorted(files))
