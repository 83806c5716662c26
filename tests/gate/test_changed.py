"""`mlgate check`: which changed models are gated, against what, with which config."""

from __future__ import annotations

import shutil
from pathlib import Path

import onnx

from mlgate.cli import main
from mlgate.gate.changed import check
from mlgate.gate.changes import detect_changes
from mlgate.gate.check_request import CheckOptions
from tests.github.actions_runtime import DEMO, git
from tests.model_builders import matmul_chain, with_external_data


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "models").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    shutil.copy(DEMO / "base.onnx", repo / "models" / "a.onnx")
    shutil.copy(DEMO / "base.onnx", repo / "models" / "gone.onnx")
    with_external_data(matmul_chain(seed=1), repo / "models" / "big", "big.onnx")
    (repo / "notes.txt").write_text("v1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr")
    return repo


def _commit(repo: Path) -> tuple[str, str]:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    return git(repo, "rev-parse", "main"), git(repo, "rev-parse", "HEAD")


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


def test_on_a_pr_the_base_config_is_used_and_a_changed_config_is_noted(tmp_path):
    repo = _repo(tmp_path)
    git(repo, "checkout", "-q", "main")
    (repo / "mlgate.yml").write_text("thresholds:\n  latency.p50: +5%\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "config")
    git(repo, "checkout", "-q", "-b", "relax")
    (repo / "mlgate.yml").write_text("thresholds:\n  latency.p50: off\n")
    _commit(repo)
    outcome = check(
        CheckOptions(base="main", repo=repo, results_dir=tmp_path / "out", config_from="base")
    )
    report = outcome.report
    assert report.verdict == "neutral"  # no model changed
    assert outcome.exit_code == 0
    assert report.config_source.startswith("mlgate.yml at base ")
    assert any("a pull request cannot change its own gate" in n for n in report.notes)
    assert (tmp_path / "out" / "run.json").is_file()


def test_cli_check_gates_a_regressed_model_and_writes_the_comment(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path)
    shutil.copy(DEMO / "head.onnx", repo / "models" / "a.onnx")
    _commit(repo)
    monkeypatch.chdir(repo)
    code = main(
        [
            "check",
            "--base",
            "main",
            "--models",
            "models/a.onnx",
            "--budget-seconds",
            "1",
            "--no-memory",
            "--threshold",
            "latency.p50=+10%",
            "--comment",
            str(tmp_path / "comment.md"),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL" in out.splitlines()[0]
    comment = (tmp_path / "comment.md").read_text()
    assert "regression in `models/a.onnx`" in comment
    assert (repo / "mlgate-results" / "models__a.json").is_file()


def test_cli_check_with_an_unknown_base_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    repo = _repo(tmp_path)
    monkeypatch.chdir(repo)
    assert main(["check", "--base", "no-such-branch"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "'no-such-branch' is not in this checkout" in err


def test_on_a_pr_threshold_overrides_from_the_workflow_are_flagged_as_pr_controlled(tmp_path):
    repo = _repo(tmp_path)
    (repo / "notes.txt").write_text("v2\n")
    _commit(repo)
    outcome = check(
        CheckOptions(
            base="main",
            repo=repo,
            results_dir=tmp_path / "out",
            config_from="base",
            thresholds={"latency.p50": "off"},
        )
    )
    note = next(n for n in outcome.report.notes if "overridden" in n)
    assert "latency.p50: off" in note
    assert "PR-controlled" in note
    assert "mlgate.yml (read from the base branch)" in note


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
