"""The Action's search cache is used only where the pull request cannot have written it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mlgate.gate.cache_dir import trusted_cache_dir


class Notes:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def note(self, text: str) -> None:
        self.lines.append(text)


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "workspace"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@example.com")
    _git(repo, "config", "user.name", "t")
    (repo / "model.onnx").write_bytes(b"x")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    return repo


def _head(repo: Path) -> str:
    return _git(repo, "rev-parse", "HEAD")


def test_an_uncommitted_folder_in_the_workspace_is_used(repo):
    (repo / ".mlgate-cache" / "search").mkdir(parents=True)  # restored by actions/cache
    (repo / ".mlgate-cache" / "search" / "a.json").write_text("{}")
    notes = Notes()
    assert trusted_cache_dir(repo, ".mlgate-cache", _head(repo), notes) == repo / ".mlgate-cache"
    assert notes.lines == []


def test_a_folder_the_pull_request_committed_is_not_used(repo):
    """Every key field of a record is computable: a PR could commit the answer it wants."""
    (repo / ".mlgate-cache" / "search").mkdir(parents=True)
    (repo / ".mlgate-cache" / "search" / "forged.json").write_text("{}")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "a forged search record")
    notes = Notes()
    assert trusted_cache_dir(repo, ".mlgate-cache", _head(repo), notes) is None
    assert len(notes.lines) == 1
    assert "committed to the repository" in notes.lines[0]


def test_a_committed_symlink_is_not_followed(repo, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (repo / "cache").symlink_to(elsewhere)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "a link")
    notes = Notes()
    assert trusted_cache_dir(repo, "cache/search", _head(repo), notes) is None
    assert "symbolic link" in notes.lines[0]


def test_the_workspace_itself_holds_committed_files(repo):
    notes = Notes()
    assert trusted_cache_dir(repo, ".", _head(repo), notes) is None


def test_a_folder_outside_the_checkout_is_always_ours(repo, tmp_path):
    outside = tmp_path / "runner-temp" / "mlgate-cache"
    notes = Notes()
    assert trusted_cache_dir(repo, str(outside), _head(repo), notes) == outside
    assert trusted_cache_dir(repo, "../runner-temp/c", _head(repo), notes) == (
        tmp_path / "runner-temp" / "c"
    )
    assert notes.lines == []


def test_off_is_no_cache(repo):
    assert trusted_cache_dir(repo, "", _head(repo), Notes()) is None


def test_a_head_that_is_not_here_means_no_cache_not_an_error(repo):
    """A shallow checkout without the head: the check itself says fetch-depth: 0."""
    notes = Notes()
    assert trusted_cache_dir(repo, ".mlgate-cache", "e1" * 20, notes) is None
    assert "cannot be listed" in notes.lines[0]
