"""Models tracked by DVC: changed when their `.dvc` file or `dvc.lock` entry changes; read
for base and head from the DVC cache (DVC 3 and DVC 2 layouts), checked against the md5 each
commit records, never from the work tree; anything missing or hostile is one line, exit 2.
Real git repositories laid out by hand as DVC leaves them (tests/dvc_repo.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import pytest

from mlgate import dvc
from mlgate.cli import main
from mlgate.errors import DvcError
from mlgate.gate.changes import detect_changes
from mlgate.git import GitPath
from mlgate.model.source import resolve
from tests.dvc_repo import cache_file, dvc_add, dvc_lock, init_dvc, make_dvc_repo, md5
from tests.github.actions_runtime import DEMO, git
from tests.model_builders import matmul_chain

BASE = (DEMO / "base.onnx").read_bytes()
HEAD = (DEMO / "head.onnx").read_bytes()
GLOBS = ("**/*.onnx",)


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    init_dvc(repo)
    (repo / "notes.txt").write_text("v1\n")
    return repo


def _commit(repo: Path, message: str = "change") -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def _changes(repo: Path, base: str, head: str, globs: tuple[str, ...] = GLOBS) -> dict:
    return {c.path: c for c in detect_changes(base, head, globs, repo)}


def test_a_changed_dvc_file_is_a_changed_model(tmp_path):
    repo = _repo(tmp_path)
    dvc_add(repo, "models/net.onnx", BASE)
    base = _commit(repo)
    dvc_add(repo, "models/net.onnx", HEAD)
    head = _commit(repo)
    assert git(repo, "diff", "--name-only", base, head) == "models/net.onnx.dvc"
    changes = _changes(repo, base, head)
    assert list(changes) == ["models/net.onnx"]
    assert changes["models/net.onnx"].status == "modified"
    assert changes["models/net.onnx"].gated


def test_an_unchanged_dvc_model_is_not_a_change(tmp_path):
    repo = _repo(tmp_path)
    dvc_add(repo, "models/net.onnx", BASE)
    base = _commit(repo)
    (repo / "notes.txt").write_text("v2\n")
    (repo / "models" / "README.md").write_text("the net\n")  # beside it, not its data
    head = _commit(repo)
    assert _changes(repo, base, head) == {}


def test_config_globs_pick_dvc_models_by_their_own_path(tmp_path):
    repo = _repo(tmp_path)
    dvc_add(repo, "models/net.onnx", BASE)
    dvc_add(repo, "other/net.onnx", BASE)
    base = _commit(repo)
    dvc_add(repo, "models/net.onnx", HEAD)
    dvc_add(repo, "other/net.onnx", HEAD)
    head = _commit(repo)
    assert list(_changes(repo, base, head, ("models/*.onnx",))) == ["models/net.onnx"]


def test_a_dvc_lock_entry_that_changes_is_a_changed_model(tmp_path):
    repo = _repo(tmp_path)
    dvc_lock(repo, {"train": {"models/net.onnx": BASE}, "eval": {"metrics.json": b"{}"}})
    base = _commit(repo)
    dvc_lock(repo, {"train": {"models/net.onnx": BASE}, "eval": {"metrics.json": b"{1}"}})
    only_metrics = _commit(repo)
    assert _changes(repo, base, only_metrics) == {}  # dvc.lock changed, the model did not
    dvc_lock(repo, {"train": {"models/net.onnx": HEAD}, "eval": {"metrics.json": b"{1}"}})
    head = _commit(repo)
    changes = _changes(repo, base, head)
    assert list(changes) == ["models/net.onnx"]
    assert changes["models/net.onnx"].gated
    source = resolve(GitPath(base, "models/net.onnx"), tmp_path / "w", repo)
    assert source.local.read_bytes() == BASE


def test_a_dvc_lock_in_a_subfolder_names_paths_relative_to_it(tmp_path):
    repo = _repo(tmp_path)
    dvc_lock(repo, {"export": {"net.onnx": BASE}}, folder="models")
    base = _commit(repo)
    dvc_lock(repo, {"export": {"net.onnx": HEAD}}, folder="models")
    head = _commit(repo)
    assert list(_changes(repo, base, head)) == ["models/net.onnx"]
    assert dvc.read_tracked(GitPath(head, "models/net.onnx"), repo) == HEAD


@pytest.mark.parametrize("legacy", [False, True], ids=["dvc3-cache", "dvc2-cache"])
def test_base_and_head_bytes_come_from_the_cache_not_the_work_tree(tmp_path, legacy):
    made = make_dvc_repo(tmp_path, legacy=legacy)
    repo = made.path
    (repo / "models" / "digits.onnx").write_bytes(b"whatever the work tree holds")
    base = resolve(GitPath(made.base_sha, "models/digits.onnx"), tmp_path / "b", repo)
    head = resolve(GitPath(made.head_sha, "models/digits.onnx"), tmp_path / "h", repo)
    assert base.local.read_bytes() == BASE
    assert head.local.read_bytes() == HEAD
    assert cache_file(repo, md5(BASE), legacy).is_file()


def test_the_base_side_is_read_from_git_at_the_base_not_the_work_tree(tmp_path):
    made = make_dvc_repo(tmp_path)
    repo = made.path
    # the work tree's .dvc file (the pull request's) names the head model; the base's is in git
    assert md5(HEAD) in (repo / "models" / "digits.onnx.dvc").read_text()
    out = dvc.tracked_out(GitPath(made.base_sha, "models/digits.onnx"), repo)
    assert out is not None
    assert out.md5 == md5(BASE)


def test_check_gates_a_dvc_model_to_a_verdict(tmp_path, monkeypatch, capsys):
    made = make_dvc_repo(tmp_path)
    monkeypatch.chdir(made.path)
    code = main(["check", "--base", "main", "--budget-seconds", "1", "--no-memory"])
    out = capsys.readouterr().out
    assert code == 1, out  # the demo's head is a regression: measured and judged, not an error
    run = json.loads((made.path / "mlgate-results" / "run.json").read_text())
    assert run["verdict"] == "fail"
    assert [c["path"] for c in run["changes"]] == ["models/digits.onnx"]
    results = json.loads((made.path / "mlgate-results" / "models__digits.json").read_text())
    assert "top1" in json.dumps(results)


def test_a_model_missing_from_the_cache_is_one_line_saying_dvc_pull(tmp_path, monkeypatch, capsys):
    made = make_dvc_repo(tmp_path)
    shutil.rmtree(made.path / ".dvc" / "cache")
    monkeypatch.chdir(made.path)
    assert main(["check", "--base", "main", "--budget-seconds", "1", "--no-memory"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "models/digits.onnx at " in err
    assert "is not in the DVC cache" in err
    assert "run `dvc pull` before mlgate" in err
    assert "Traceback" not in err


def test_a_cache_file_that_does_not_match_its_md5_is_refused(tmp_path):
    made = make_dvc_repo(tmp_path)
    cache_file(made.path, md5(BASE)).write_bytes(HEAD)  # a stale or tampered cache
    with pytest.raises(DvcError, match=r"does not match its md5 .*run `dvc pull`"):
        dvc.read_tracked(GitPath(made.base_sha, "models/digits.onnx"), made.path)


HOSTILE = {
    "bad-yaml": ("outs: [md5: {\n", "is not valid YAML"),
    "escapes": (
        f"outs:\n- md5: {md5(HEAD)}\n  path: ../../../etc/passwd\n",
        "output path '../../../etc/passwd' leaves the repository",
    ),
    "absolute": (f"outs:\n- md5: {md5(HEAD)}\n  path: /etc/passwd\n", "leaves the repository"),
    "md5-not-hex": ("outs:\n- md5: ../../../../etc/passwd\n  path: digits.onnx\n", "not an md5"),
    "not-a-mapping": ("- just\n- a list\n", "expected a mapping, got a list"),
    "outs-not-a-list": ("outs: digits.onnx\n", "`outs` is not a list"),
    "deep": ("[" * 100_000, "is not valid YAML"),
    "not-utf8": (b"outs:\n- md5: \xff\xfe\n", "is not valid YAML"),
    "huge": ("outs: []\n" + "#" * (dvc.MAX_META_BYTES + 1), "not a DVC file"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_corrupt_or_hostile_dvc_file_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys, name):
    text, message = HOSTILE[name]
    made = make_dvc_repo(tmp_path)
    (made.path / "models" / "digits.onnx.dvc").write_bytes(
        text if isinstance(text, bytes) else text.encode()
    )
    git(made.path, "commit", "-q", "-am", "hostile")
    monkeypatch.chdir(made.path)
    assert main(["check", "--base", "main", "--budget-seconds", "1", "--no-memory"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err[:500]
    assert "models/digits.onnx.dvc at " in err
    assert message in err
    assert "Traceback" not in err
    assert len(err) < 600


def test_a_hostile_dvc_lock_is_one_line_too(tmp_path):
    repo = _repo(tmp_path)
    base = _commit(repo)
    (repo / "dvc.lock").write_text(
        f"schema: '2.0'\nstages:\n  x:\n    outs:\n    - path: ../up.onnx\n      md5: {md5(BASE)}\n"
    )
    head = _commit(repo)
    with pytest.raises(DvcError, match=r"dvc.lock at \w+: output path '../up.onnx' leaves"):
        detect_changes(base, head, GLOBS, repo)


def test_a_model_moved_from_git_to_dvc_is_modified_and_read_from_both(tmp_path):
    repo = _repo(tmp_path)
    (repo / "models").mkdir()
    (repo / "models" / "net.onnx").write_bytes(BASE)
    base = _commit(repo)
    git(repo, "rm", "-q", "--cached", "models/net.onnx")
    dvc_add(repo, "models/net.onnx", HEAD)
    head = _commit(repo)
    changes = _changes(repo, base, head)
    assert [(p, c.status, c.gated) for p, c in changes.items()] == [
        ("models/net.onnx", "modified", True)
    ]
    assert resolve(GitPath(base, "models/net.onnx"), tmp_path / "b", repo).local.read_bytes() == (
        BASE
    )
    assert resolve(GitPath(head, "models/net.onnx"), tmp_path / "h", repo).local.read_bytes() == (
        HEAD
    )


def test_added_removed_and_renamed_dvc_models(tmp_path):
    repo = _repo(tmp_path)
    dvc_add(repo, "models/old.onnx", BASE)
    dvc_add(repo, "models/gone.onnx", HEAD)
    base = _commit(repo)
    git(repo, "mv", "models/old.onnx.dvc", "models/moved.onnx.dvc")
    text = (repo / "models" / "moved.onnx.dvc").read_text().replace("old.onnx", "moved.onnx")
    (repo / "models" / "moved.onnx.dvc").write_text(text)
    git(repo, "rm", "-q", "models/gone.onnx.dvc")
    dvc_add(repo, "models/new.onnx", BASE)
    head = _commit(repo)
    changes = _changes(repo, base, head)
    assert {p: c.status for p, c in changes.items()} == {
        "models/moved.onnx": "renamed",
        "models/gone.onnx": "deleted",
        "models/new.onnx": "added",
    }
    assert changes["models/moved.onnx"].base_path == "models/old.onnx"
    assert changes["models/moved.onnx"].gated
    assert not changes["models/new.onnx"].gated


def test_a_dvc_tracked_directory_is_listed_with_a_reason_not_gated(tmp_path):
    repo = _repo(tmp_path)
    (repo / "models.dvc").write_text(f"outs:\n- md5: {md5(b'a')}.dir\n  path: models\n")
    base = _commit(repo)
    (repo / "models.dvc").write_text(f"outs:\n- md5: {md5(b'b')}.dir\n  path: models\n")
    head = _commit(repo)
    changes = _changes(repo, base, head)
    assert list(changes) == ["models/"]
    assert not changes["models/"].gated
    assert "DVC-tracked directory" in changes["models/"].reason
    assert _changes(repo, base, head, ("data/*.onnx",)) == {}  # no model could be in it
    with pytest.raises(DvcError, match=r"models/net.onnx at \w+ is inside a DVC-tracked dir"):
        resolve(GitPath(head, "models/net.onnx"), tmp_path / "w", repo)


def test_optimum_layout_in_dvc_changes_when_only_its_onnx_data_does(tmp_path):
    repo = _repo(tmp_path)
    folder = tmp_path / "export"

    folder.mkdir()
    onnx.save_model(
        matmul_chain(seed=1),
        str(folder / "model.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="model.onnx_data",
        size_threshold=0,
    )
    for name in ("model.onnx", "model.onnx_data"):
        dvc_add(repo, f"models/hf/{name}", (folder / name).read_bytes())
    base = _commit(repo)
    weights = np.fromfile(folder / "model.onnx_data", dtype=np.float32) * 1.5  # retrained
    weights.tofile(folder / "model.onnx_data")
    dvc_add(repo, "models/hf/model.onnx_data", (folder / "model.onnx_data").read_bytes())
    head = _commit(repo)
    changed = git(repo, "diff", "--name-only", base, head)
    assert changed == "models/hf/model.onnx_data.dvc"  # the graph file is the same
    changes = _changes(repo, base, head)
    assert list(changes) == ["models/hf/model.onnx"]
    assert changes["models/hf/model.onnx"].gated
    source = resolve(GitPath(head, "models/hf/model.onnx"), tmp_path / "w", repo)
    assert (source.local.parent / "model.onnx_data").read_bytes() == (
        folder / "model.onnx_data"
    ).read_bytes()
    shutil.rmtree(repo / ".dvc" / "cache")  # the plan job, before any `dvc pull`
    assert list(_changes(repo, base, head)) == ["models/hf/model.onnx"]


def _external_model(folder: Path, data_name: str, seed: int = 1) -> tuple[bytes, bytes]:
    """A model whose tensors live in `data_name` beside it: (graph bytes, data bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save_model(
        matmul_chain(seed=seed),
        str(folder / "net.onnx"),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=data_name,
        size_threshold=0,
    )
    return (folder / "net.onnx").read_bytes(), (folder / data_name).read_bytes()


def test_an_unpulled_dvc_model_whose_differently_named_data_changed_is_gated(tmp_path):
    # the plan job has no DVC cache: which files the model reads cannot be told, so it is gated
    repo = _repo(tmp_path)
    graph, data = _external_model(tmp_path / "export", "weights.bin")
    dvc_add(repo, "models/net.onnx", graph)
    (repo / "models" / "weights.bin").write_bytes(data)  # in git, named unlike the model
    base = _commit(repo)
    (repo / "models" / "weights.bin").write_bytes(data[::-1])
    head = _commit(repo)
    assert git(repo, "diff", "--name-only", base, head) == "models/weights.bin"
    assert list(_changes(repo, base, head)) == ["models/net.onnx"]  # pulled: read and known
    shutil.rmtree(repo / ".dvc" / "cache")
    changes = _changes(repo, base, head)
    assert list(changes) == ["models/net.onnx"]
    assert changes["models/net.onnx"].gated


def test_a_model_that_does_not_parse_beside_changed_data_is_gated(tmp_path):
    repo = _repo(tmp_path)
    (repo / "models").mkdir()
    (repo / "models" / "net.onnx").write_bytes(b"\xff\xff not a model")
    (repo / "models" / "weights.bin").write_bytes(b"1")
    base = _commit(repo)
    (repo / "models" / "weights.bin").write_bytes(b"2")
    head = _commit(repo)
    changes = _changes(repo, base, head)
    assert list(changes) == ["models/net.onnx"]
    assert changes["models/net.onnx"].gated  # gating says what is wrong with it, loudly


def test_an_external_offset_that_is_not_an_integer_is_gated_then_one_line(
    tmp_path, monkeypatch, capsys
):
    repo = _repo(tmp_path)
    graph, data = _external_model(tmp_path / "export", "weights.bin")
    proto = onnx.load_model_from_string(graph)
    entry = next(e for e in proto.graph.initializer[0].external_data if e.key == "offset")
    entry.value = "12abc"
    (repo / "models").mkdir()
    (repo / "models" / "net.onnx").write_bytes(proto.SerializeToString())
    (repo / "models" / "weights.bin").write_bytes(data)
    (repo / "mlgate.yml").write_text("models:\n  - path: models/*.onnx\n")
    base = _commit(repo)
    (repo / "models" / "weights.bin").write_bytes(data[::-1])
    head = _commit(repo)
    changes = _changes(repo, base, head)
    assert list(changes) == ["models/net.onnx"]
    assert changes["models/net.onnx"].gated
    monkeypatch.chdir(repo)
    code = main(["check", "--base", base, "--budget-seconds", "1", "--no-memory"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "has offset '12abc', not an integer" in err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err


def test_a_model_added_with_dvc_add_file_is_read_through_that_file(tmp_path):
    # `dvc add --file meta/net.dvc models/net.onnx`: the .dvc file is not <model>.dvc
    repo = _repo(tmp_path)
    dvc_add(repo, "models/net.onnx", BASE)
    (repo / "meta").mkdir()
    (repo / "models" / "net.onnx.dvc").rename(repo / "meta" / "net.dvc")
    text = (
        (repo / "meta" / "net.dvc")
        .read_text()
        .replace("path: net.onnx", "path: ../models/net.onnx")
    )
    (repo / "meta" / "net.dvc").write_text(text)
    base = _commit(repo)
    head_md5 = dvc_add(repo, "models/net.onnx", HEAD)
    (repo / "models" / "net.onnx.dvc").unlink()
    (repo / "meta" / "net.dvc").write_text(text.replace(md5(BASE), head_md5))
    head = _commit(repo)
    assert git(repo, "diff", "--name-only", base, head) == "meta/net.dvc"
    changes = _changes(repo, base, head)
    assert list(changes) == ["models/net.onnx"]
    assert changes["models/net.onnx"].gated
    assert resolve(GitPath(base, "models/net.onnx"), tmp_path / "b", repo).local.read_bytes() == (
        BASE
    )
    assert resolve(GitPath(head, "models/net.onnx"), tmp_path / "h", repo).local.read_bytes() == (
        HEAD
    )


def test_a_dvc_output_without_an_md5_is_listed_not_gated_with_a_reason(tmp_path):
    # `dvc import-url` / a cloud-versioned remote: an etag, no md5 to find the cache file by
    repo = _repo(tmp_path)
    (repo / "models").mkdir()
    dvc_file = repo / "models" / "net.onnx.dvc"
    dvc_file.write_text("outs:\n- etag: '0x1'\n  size: 10\n  path: net.onnx\n")
    base = _commit(repo)
    dvc_file.write_text("outs:\n- etag: '0x2'\n  size: 12\n  path: net.onnx\n")
    head = _commit(repo)
    changes = _changes(repo, base, head)
    assert list(changes) == ["models/net.onnx"]
    assert not changes["models/net.onnx"].gated
    assert "without an md5" in changes["models/net.onnx"].reason
    assert _changes(repo, base, head, ("other/*.onnx",)) == {}
    with pytest.raises(DvcError, match=r"models/net.onnx at \w+ is tracked by DVC without an md5"):
        dvc.read_tracked(GitPath(head, "models/net.onnx"), repo)


def test_a_changed_dvc_directory_deeper_than_the_glob_prefix_is_listed(tmp_path):
    repo = _repo(tmp_path)
    (repo / "models").mkdir()
    dir_file = repo / "models" / "v2.dvc"
    dir_file.write_text(f"outs:\n- md5: {md5(b'a')}.dir\n  path: v2\n")
    base = _commit(repo)
    dir_file.write_text(f"outs:\n- md5: {md5(b'b')}.dir\n  path: v2\n")
    head = _commit(repo)
    changes = _changes(repo, base, head, ("models/*/resnet*.onnx",))
    assert list(changes) == ["models/v2/"]
    assert not changes["models/v2/"].gated
    assert "DVC-tracked directory" in changes["models/v2/"].reason
    assert _changes(repo, base, head, ("models/*.onnx", "data/**/*.onnx")) == {}


def test_a_cache_entry_that_is_a_symlink_is_refused_unread(tmp_path):
    made = make_dvc_repo(tmp_path)
    entry = cache_file(made.path, md5(BASE))
    secret = tmp_path / "secret"
    secret.write_bytes(BASE)  # even the right bytes: the cache must hold files, not links
    entry.unlink()
    entry.symlink_to(secret)
    with pytest.raises(DvcError, match=r"DVC cache entry .dvc/cache/files/md5/.* not a regular"):
        dvc.read_tracked(GitPath(made.base_sha, "models/digits.onnx"), made.path)


def test_a_cache_folder_that_is_a_symlink_is_refused_unread(tmp_path):
    made = make_dvc_repo(tmp_path)
    folder = cache_file(made.path, md5(BASE)).parent
    elsewhere = tmp_path / "elsewhere"
    shutil.move(folder, elsewhere)
    folder.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(DvcError, match="not a regular file"):
        dvc.read_tracked(GitPath(made.base_sha, "models/digits.onnx"), made.path)


def test_a_cache_file_over_the_model_size_limit_is_refused_before_reading(
    tmp_path, monkeypatch, capsys
):
    made = make_dvc_repo(tmp_path)
    with pytest.raises(DvcError, match=r"is 0.0 MB, over the 0 MB limit; raise limits.model_"):
        dvc.read_tracked(GitPath(made.base_sha, "models/digits.onnx"), made.path, len(BASE) - 1)
    assert dvc.read_tracked(GitPath(made.base_sha, "models/digits.onnx"), made.path, len(BASE))
    config = made.path / "mlgate.yml"
    config.write_text(config.read_text() + "limits:\n  model_size_mb: 0.0001\n")
    git(made.path, "commit", "-q", "-am", "tiny limit")
    monkeypatch.chdir(made.path)
    assert main(["check", "--base", "main", "--budget-seconds", "1", "--no-memory"]) == 2
    err = capsys.readouterr().err
    assert "the DVC cache entry .dvc/cache/files/md5/" in err
    assert "raise limits.model_size_mb" in err
    assert err.count("\n") == 1, err


def test_external_data_of_a_model_added_with_dvc_add_file_elsewhere_is_found(tmp_path):
    repo = _repo(tmp_path)
    graph, data = _external_model(tmp_path / "export", "weights.bin")
    dvc_add(repo, "models/net.onnx", graph)
    (repo / "meta").mkdir()
    (repo / "models" / "net.onnx.dvc").rename(repo / "meta" / "net.dvc")
    text = (repo / "meta" / "net.dvc").read_text()
    (repo / "meta" / "net.dvc").write_text(
        text.replace("path: net.onnx", "path: ../models/net.onnx")
    )
    (repo / "models" / "weights.bin").write_bytes(data)
    base = _commit(repo)
    (repo / "models" / "weights.bin").write_bytes(data[::-1])
    head = _commit(repo)
    changes = _changes(repo, base, head)
    assert list(changes) == ["models/net.onnx"]
    assert changes["models/net.onnx"].gated
