"""git helpers that the Action depends on: ownership of the workspace, shallow history."""

from __future__ import annotations

import os
import subprocess

import pytest

from mlgate import git
from mlgate.errors import GitError
from tests.github.actions_runtime import git as run


def _repo(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    run(repo, "init", "-q", "-b", "main")
    (repo / "a.txt").write_text("a")
    run(repo, "add", "-A")
    run(repo, "commit", "-q", "-m", "one")
    return repo


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the checkout another owner")
def test_trust_directory_lets_git_read_a_checkout_owned_by_someone_else(tmp_path, monkeypatch):
    repo = _repo(tmp_path)
    for path in [repo, *repo.rglob("*")]:
        os.chown(path, 4242, 4242, follow_symlinks=False)  # like /github/workspace
    for name in ("GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0"):
        monkeypatch.setenv(name, "0" if name == "GIT_CONFIG_COUNT" else "")  # restored after
    with pytest.raises(GitError, match="dubious ownership"):
        git.list_files("HEAD", repo)
    git.trust_directory(repo)
    assert git.list_files("HEAD", repo) == ["a.txt"]
    assert os.environ["GIT_CONFIG_KEY_0"] == "safe.directory"


def test_a_shallow_clone_asks_for_fetch_depth_0(tmp_path):
    repo = _repo(tmp_path)
    first = run(repo, "rev-parse", "HEAD")
    (repo / "a.txt").write_text("b")
    run(repo, "commit", "-q", "-am", "two")
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True
    )
    assert git.is_shallow(shallow)
    with pytest.raises(GitError, match="shallow: set `fetch-depth: 0`"):
        git.merge_base(first, "HEAD", shallow)


def test_a_file_name_with_a_newline_is_still_read_at_its_revision(tmp_path):
    repo = _repo(tmp_path)
    name = "models/a\n::error file=x::pwned.onnx"
    (repo / "models").mkdir()
    (repo / name).write_bytes(b"model bytes")
    run(repo, "add", "-A")
    run(repo, "commit", "-q", "-m", "two")
    assert git.parse_model_ref(f"HEAD:{name}", repo) == git.GitPath("HEAD", name)
    assert git.show_file("HEAD", name, repo) == b"model bytes"


def test_a_model_argument_too_long_for_the_file_system_is_one_line_not_a_crash(tmp_path):
    repo = _repo(tmp_path)
    with pytest.raises(git.GitError, match="revision"):
        git.parse_model_ref("x" * 5000 + ":models/a.onnx", repo)


def test_outside_a_repository_the_error_says_so_not_fetch_it(tmp_path):
    with pytest.raises(git.GitError, match="not inside a Git repository"):
        git.resolve_commit("HEAD", tmp_path)


def test_a_revision_that_looks_like_an_option_is_never_passed_to_git(tmp_path):
    repo = _repo(tmp_path)
    with pytest.raises(GitError, match="'--output=x'"):
        git.read_at(git.GitPath("--output=x", "a.txt"), repo)
    assert not (repo / "x").exists()


def test_unrelated_histories_have_no_common_ancestor(tmp_path):
    repo = _repo(tmp_path)
    first = run(repo, "rev-parse", "HEAD")
    run(repo, "checkout", "-q", "--orphan", "other")
    (repo / "b.txt").write_text("b")
    run(repo, "add", "-A")
    run(repo, "commit", "-q", "-m", "unrelated")
    with pytest.raises(GitError, match=r"no common ancestor of \w{12} and HEAD"):
        git.merge_base(first, "HEAD", repo)


def test_outside_a_repository_a_missing_revision_still_says_to_fetch(tmp_path):
    folder = tmp_path / "plain"
    folder.mkdir()
    message = git._missing_history("abc", folder)
    assert message.startswith("git revision 'abc' is not in this checkout; fetch it")


def test_without_git_on_the_path_the_error_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder with no git in it
    with pytest.raises(GitError, match="git is not installed or not on PATH"):
        git.run_git("status", cwd=tmp_path)
