"""A git repository with one commit on main, and a measured run.json of a push to main."""

from __future__ import annotations

from pathlib import Path

from mlgate.results.schema import SCHEMA_VERSION, RunContextInfo, RunReport
from mlgate.results.store import write_results
from tests.github.actions_runtime import git
from tests.render.sample import sample_results


def main_repo(tmp_path: Path) -> Path:
    """A git repository with one commit on main."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    return repo


def write_main_run(path: Path, results: bool = True) -> RunReport:
    """A measured run of a push to main, written as `path`."""
    context = RunContextInfo(repository="o/r", event="push", head_sha="c0ffee" + "0" * 34)
    report = RunReport(
        SCHEMA_VERSION,
        "mlgate-run",
        "2026-11-20T10:00:00+00:00",
        "pass",
        context,
        "mlgate.yml",
        results=[sample_results(fail=False)] if results else [],
    )
    write_results(report, path)
    return report
