"""Models in Git LFS: blobs read at a revision go through git-lfs, so the base and head
models (and their external data) are the real files, from the local LFS objects; a missing
object is one line with the exact fix. Real repositories made with the real git-lfs."""

from __future__ import annotations

import json
import shutil

import numpy as np
import onnx
import pytest

from mlgate import git as mlgit
from mlgate.cli import main
from mlgate.errors import GitError
from mlgate.model.source import resolve
from tests.github.actions_runtime import DEMO, git
from tests.lfs_repo import lfs_objects, make_lfs_repo, require_git_lfs
from tests.model_builders import matmul_chain


@pytest.fixture(autouse=True)
def _git_lfs() -> None:
    require_git_lfs()


def test_a_base_model_in_lfs_is_read_as_the_model_not_the_pointer(tmp_path):
    repo = make_lfs_repo(tmp_path)
    pointer = mlgit.run_git("show", f"{repo.base_sha}:models/digits.onnx", cwd=repo.path)
    assert mlgit.is_lfs_pointer(pointer)  # git itself hands out the pointer
    data = mlgit.show_file(repo.base_sha, "models/digits.onnx", repo.path)
    assert data == (DEMO / "base.onnx").read_bytes()
    head = mlgit.show_file(repo.head_sha, "./models/digits.onnx", repo.path)
    assert head == (DEMO / "head.onnx").read_bytes()


def test_a_file_that_only_mentions_the_pointer_text_is_left_alone():
    assert not mlgit.is_lfs_pointer(b"version https://git-lfs.github.com/spec/v1\nhello\n")
    assert not mlgit.is_lfs_pointer(b"version https://git-lfs.github.com/spec/v1\n" * 100)


def test_external_data_in_lfs_is_materialised_with_the_model(tmp_path):
    repo = make_lfs_repo(tmp_path)
    git(repo.path, "checkout", "-q", "feature")
    folder = repo.path / "models" / "hf"
    folder.mkdir()
    model = matmul_chain(seed=3)
    expected = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    onnx.save_model(
        model,
        str(folder / "model.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="model.onnx_data",
        size_threshold=0,
    )
    git(repo.path, "add", "-A")
    git(repo.path, "commit", "-q", "-m", "optimum layout")
    stored = git(repo.path, "show", "HEAD:models/hf/model.onnx_data")
    assert stored.startswith("version https://git-lfs.github.com/spec/v1")
    source = resolve("HEAD:models/hf/model.onnx", tmp_path / "work", repo.path)
    loaded = onnx.load_model(str(source.local))  # loads model.onnx_data beside it
    for tensor in loaded.graph.initializer:
        np.testing.assert_array_equal(onnx.numpy_helper.to_array(tensor), expected[tensor.name])


def test_check_gates_lfs_models_with_real_numbers(tmp_path, monkeypatch, capsys):
    repo = make_lfs_repo(tmp_path)
    git(repo.path, "checkout", "-q", "feature")
    git(repo.path, "branch", "-f", "main", repo.base_sha)  # the PR is not merged yet
    monkeypatch.chdir(repo.path)
    code = main(["check", "--base", "main", "--budget-seconds", "1", "--no-memory"])
    out = capsys.readouterr().out
    assert code == 1, out  # the demo's head is a regression: gated, not an error
    run = json.loads((repo.path / "mlgate-results" / "run.json").read_text())
    assert run["verdict"] == "fail"
    text = (repo.path / "mlgate-results" / "models__digits.json").read_text()
    assert "top1" in text
    assert "Git LFS pointer" not in out


def test_a_missing_lfs_object_is_one_line_with_the_fix(tmp_path, monkeypatch, capsys):
    repo = make_lfs_repo(tmp_path)
    git(repo.path, "checkout", "-q", "feature")
    shutil.rmtree(lfs_objects(repo.path))
    git(repo.path, "branch", "-f", "main", repo.base_sha)
    with pytest.raises(GitError, match=r"git lfs fetch origin main"):
        mlgit.show_file("main", "models/digits.onnx", repo.path)
    monkeypatch.chdir(repo.path)
    assert main(["check", "--base", "main", "--budget-seconds", "1", "--no-memory"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "is a Git LFS object that is not in this checkout" in err
    assert "`lfs: true` on actions/checkout" in err
