"""gate.changes: which models changed between two revisions in a real git repository:
renames, additions, deletions, and models whose external data alone changed."""

from __future__ import annotations

import shutil

import onnx

from mlgate.gate.changes import detect_changes, slug
from tests.gate.change_repo import commit_change as _commit
from tests.gate.change_repo import pr_repo as _repo
from tests.github.actions_runtime import DEMO, git
from tests.model_builders import matmul_chain, with_external_data


def test_renames_additions_deletions_and_external_data_are_told_apart(tmp_path):
    repo = _repo(tmp_path)
    git(repo, "mv", "models/a.onnx", "models/renamed.onnx")
    git(repo, "rm", "-q", "models/gone.onnx")
    shutil.copy(DEMO / "head.onnx", repo / "models" / "new.onnx")
    with_external_data(matmul_chain(seed=2), repo / "models" / "big", "big.onnx")
    git(repo, "checkout", "-q", "main", "--", "models/big/big.onnx")  # only weights.bin differs
    (repo / "notes.txt").write_text("v2\n")
    base, head = _commit(repo)
    changes = {c.path: c for c in detect_changes(base, head, ("**/*.onnx",), repo)}
    assert set(changes) == {
        "models/renamed.onnx",
        "models/gone.onnx",
        "models/new.onnx",
        "models/big/big.onnx",
    }
    assert changes["models/renamed.onnx"].status == "renamed"
    assert changes["models/renamed.onnx"].base_path == "models/a.onnx"
    assert changes["models/big/big.onnx"].status == "modified"  # found via its external data
    assert changes["models/big/big.onnx"].gated
    assert not changes["models/new.onnx"].gated
    assert "nothing to compare against" in changes["models/new.onnx"].reason
    assert changes["models/gone.onnx"].status == "deleted"
    assert not changes["models/gone.onnx"].gated


def test_globs_limit_what_is_gated(tmp_path):
    repo = _repo(tmp_path)
    shutil.copy(DEMO / "head.onnx", repo / "models" / "a.onnx")
    with_external_data(matmul_chain(seed=2), repo / "models" / "big", "big.onnx")
    base, head = _commit(repo)
    only_big = detect_changes(base, head, ("models/big/*.onnx",), repo)
    assert [c.path for c in only_big] == ["models/big/big.onnx"]


def test_a_model_in_optimums_layout_changes_when_only_its_onnx_data_does(tmp_path):
    """Hugging Face optimum saves the weights as `model.onnx_data` beside `model.onnx`."""
    repo = _repo(tmp_path)
    folder = repo / "models" / "hf"
    folder.mkdir()

    def save(seed: int) -> None:
        onnx.save_model(
            matmul_chain(seed=seed),
            str(folder / "model.onnx"),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location="model.onnx_data",
            size_threshold=0,
        )

    save(1)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "optimum export")
    base = git(repo, "rev-parse", "HEAD")
    save(2)
    git(repo, "checkout", "-q", "HEAD", "--", "models/hf/model.onnx")  # only the data differs
    _, head = _commit(repo)
    assert git(repo, "diff", "--name-only", base, head) == "models/hf/model.onnx_data"
    changes = detect_changes(base, head, ("**/*.onnx",), repo)
    assert [(c.path, c.status, c.gated) for c in changes] == [
        ("models/hf/model.onnx", "modified", True)
    ]


def test_slug_names_a_models_results_file_safely():
    assert slug("models/a.onnx") == "models__a"
    assert slug("models/my model (v2).onnx") == "models__my__model__v2"
    assert slug("../../etc/passwd") == "..__..__etc__passwd"
    assert slug("///.onnx") == "model"


def test_a_non_model_change_is_not_a_model_change(tmp_path):
    repo = _repo(tmp_path)
    (repo / "notes.txt").write_text("v2\n")
    base, head = _commit(repo)
    assert detect_changes(base, head, ("**/*.onnx",), repo) == []
