"""Model references to files on disk: a path, or a file at a revision read from git objects
together with its external data from the same commit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from mlgate import git
from mlgate.errors import ModelError
from mlgate.model.source import ModelSource, resolve
from tests.github.actions_runtime import git as run
from tests.model_builders import finish, matmul_chain, save


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    run(repo, "init", "-q", "-b", "main")
    return repo


def _commit(repo: Path, message: str) -> None:
    run(repo, "add", "-A")
    run(repo, "commit", "-q", "-m", message)


def _external_model(folder: Path, location: str) -> Path:
    weight = numpy_helper.from_array(np.arange(16, dtype=np.float32).reshape(4, 4), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])],
        "ext",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
        [weight],
    )
    model = finish(graph)
    path = folder / "ext.onnx"
    onnx.save_model(
        model, str(path), save_as_external_data=True, location=location, size_threshold=0
    )
    return path


def test_a_plain_path_is_used_as_is(tmp_path):
    assert resolve("models/a.onnx", tmp_path) == ModelSource(
        Path("models/a.onnx"), "models/a.onnx", "models/a.onnx"
    )
    assert resolve(Path("b.onnx"), tmp_path).repo_path == "b.onnx"


def test_a_revision_is_read_from_git_objects_not_the_work_tree(tmp_path):
    repo = _repo(tmp_path)
    save(matmul_chain(layers=1, width=4), repo / "models" / "a.onnx")
    _commit(repo, "one")
    (repo / "models" / "a.onnx").write_bytes(b"work tree edit")
    source = resolve("HEAD:models/a.onnx", tmp_path / "work", repo)
    assert source.display == "HEAD:models/a.onnx"
    assert source.repo_path == "models/a.onnx"
    assert source.local.parent == tmp_path / "work" / "git"
    assert onnx.load(str(source.local)).graph.node[0].op_type == "MatMul"


def test_external_data_comes_from_the_same_commit(tmp_path):
    repo = _repo(tmp_path)
    _external_model(repo / "models", "ext.bin")
    _commit(repo, "one")
    (repo / "models" / "ext.bin").write_bytes(b"\0" * 64)
    source = resolve(git.GitPath("HEAD", "models/ext.onnx"), tmp_path / "work", repo)
    model = onnx.load(str(source.local))  # loads the external data beside it
    (weight,) = model.graph.initializer
    assert numpy_helper.to_array(weight)[3, 3] == 15.0


def test_external_data_outside_the_model_folder_is_refused(tmp_path):
    repo = _repo(tmp_path)
    _external_model(repo / "models", "ext.bin")
    proto = onnx.load(str(repo / "models" / "ext.onnx"), load_external_data=False)
    for entry in proto.graph.initializer[0].external_data:
        if entry.key == "location":
            entry.value = "../../secret.bin"
    onnx.save_model(proto, str(repo / "models" / "ext.onnx"))
    _commit(repo, "one")
    with pytest.raises(ModelError, match="external data"):
        resolve(git.GitPath("HEAD", "models/ext.onnx"), tmp_path / "work", repo)


def test_a_file_that_is_not_a_model_is_written_for_the_loader_to_report(tmp_path):
    repo = _repo(tmp_path)
    (repo / "models" / "bad.onnx").write_bytes(b"\x08\x01garbage")
    _commit(repo, "one")
    source = resolve(git.GitPath("HEAD", "models/bad.onnx"), tmp_path / "work", repo)
    assert source.local.read_bytes() == b"\x08\x01garbage"
