"""gate.files: judging files read from the work tree or from a commit's git objects (never
the pull request's work tree), in a real git repository."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlgate.errors import DataError
from mlgate.gate.files import GateFiles, changed_note, eval_data_at
from mlgate.model.load import LFS_POINTER_PREFIX
from tests.github.actions_runtime import git


def _repo(tmp_path: Path) -> tuple[Path, str, str]:
    """`cfg/mlgate.yml` and `cfg/eval.npz` committed on main, then changed on a branch."""
    repo = tmp_path / "repo"
    (repo / "cfg").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "cfg" / "mlgate.yml").write_text("version: 1\n")
    np.savez(repo / "cfg" / "eval.npz", x=np.zeros((4, 2), np.float32), labels=np.arange(4))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "cfg" / "mlgate.yml").write_text("version: 1\nthresholds: {size: off}\n")
    git(repo, "commit", "-qam", "relax")
    return repo, base, git(repo, "rev-parse", "HEAD")


def test_work_tree_files_are_read_from_the_folder(tmp_path):
    repo, _, _ = _repo(tmp_path)
    files = GateFiles(repo / "cfg")
    assert files.text("mlgate.yml") == "version: 1\nthresholds: {size: off}\n"
    assert files.read("missing.yml") is None
    assert files.where("mlgate.yml") == str(repo / "cfg" / "mlgate.yml")
    assert files.local("mlgate.yml", tmp_path) == repo / "cfg" / "mlgate.yml"


def test_files_at_a_commit_come_from_git_not_the_work_tree(tmp_path):
    repo, base, _ = _repo(tmp_path)
    files = GateFiles(repo, base, "cfg")
    assert files.text("mlgate.yml") == "version: 1\n"
    assert files.read("missing.yml") is None
    assert files.where("mlgate.yml") == f"cfg/mlgate.yml at {base[:7]}"
    copy = files.local("mlgate.yml", tmp_path / "work")
    assert copy.read_text() == "version: 1\n"
    assert tmp_path / "work" in copy.parents


def test_a_changed_judging_file_is_noted_and_an_unchanged_one_is_not(tmp_path):
    repo, base, head = _repo(tmp_path)
    files = GateFiles(repo, base, "cfg")
    note = changed_note(files, head, "mlgate.yml", "the base's is used")
    assert note == "cfg/mlgate.yml changes in this pull request; the base's is used"
    assert changed_note(files, head, "eval.npz", "x") is None
    assert changed_note(GateFiles(repo), head, "cfg/mlgate.yml", "x") is None  # work tree


def test_eval_data_from_git_is_checked_and_named_by_its_path_at_the_commit(tmp_path):
    repo, base, _ = _repo(tmp_path)
    data = eval_data_at(GateFiles(repo, base, "cfg"), "eval.npz", tmp_path, "labels", 10.0)
    assert data.display == f"cfg/eval.npz at {base[:7]}"
    with pytest.raises(DataError, match=rf"cfg/missing\.npz at {base[:7]}"):
        eval_data_at(GateFiles(repo, base, "cfg"), "missing.npz", tmp_path, "labels", 10.0)


def test_eval_data_that_is_an_lfs_pointer_in_the_base_is_refused(tmp_path):
    repo, _, _ = _repo(tmp_path)
    (repo / "cfg" / "eval.npz").write_bytes(LFS_POINTER_PREFIX + b"v1\noid sha256:00\nsize 9\n")
    git(repo, "commit", "-qam", "lfs")
    pointer = git(repo, "rev-parse", "HEAD")
    with pytest.raises(DataError, match="is a Git LFS pointer in the base commit"):
        eval_data_at(GateFiles(repo, pointer, "cfg"), "eval.npz", tmp_path, "labels", 10.0)
