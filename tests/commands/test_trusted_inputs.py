"""What judges a pull request comes from the base commit's git objects, never from files the
pull request puts in the work tree: the base model, eval data, the target matrix, the config
merge mode reads. Real git repositories, real models, real gate runs (short budgets)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from mlgate import git as mlgit
from mlgate.cli import main
from mlgate.commands.merge_action import merge
from mlgate.errors import DataError, GitError
from mlgate.gate.action_io import ActionInputs, RunnerFiles
from mlgate.gate.changed import check
from mlgate.gate.check_request import CheckOptions
from mlgate.gate.files import GateFiles, eval_data_at
from mlgate.gate.matrix import PlanOptions, bench, plan
from mlgate.github.context import PullRequest, RunContext
from mlgate.model import source
from mlgate.render.environment import render_run_comment
from mlgate.results.store import read_run, write_results
from tests.github.actions_runtime import DEMO, git
from tests.model_builders import matmul_chain, save, with_external_data

FAST = "latency: {budget_seconds: 0.3, min_seconds: 0.1, segment_seconds: 0.05, min_segments: 2}\n"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _init(repo: Path, files: dict[str, bytes]) -> str:
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    for name, data in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "pr")
    return git(repo, "rev-parse", "HEAD")


def _commit(repo: Path) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pull request")
    return git(repo, "rev-parse", "HEAD")


def _metric(results, name: str):
    return next(m for t in results.targets for m in t.metrics if m.name == name)


def test_a_folder_named_like_the_base_reference_does_not_become_the_base(tmp_path, monkeypatch):
    """The PR commits `<merge-base sha12>:models/a.onnx` (a big, slow decoy) beside its slower
    head model: compared with the decoy the head would look improved; the gate still reads the
    base from git and fails on the params threshold (deterministic, no timing)."""
    repo = tmp_path / "repo"
    base_model = matmul_chain(layers=1, width=32, seed=1).SerializeToString()
    config = f"thresholds: {{params: +10%}}\n{FAST}"
    base = _init(repo, {"models/a.onnx": base_model, "mlgate.yml": config.encode()})
    save(matmul_chain(layers=4, width=32, seed=2), repo / "models" / "a.onnx")
    save(matmul_chain(layers=8, width=32, seed=3), repo / f"{base[:12]}:models" / "a.onnx")
    _commit(repo)
    monkeypatch.chdir(repo)  # where the old code looked for a file of that name
    outcome = check(
        CheckOptions(
            base="main",
            repo=repo,
            results_dir=tmp_path / "out",
            model_globs=("models/*.onnx",),
            config_from="base",
            measure_memory=False,
        )
    )
    [results] = outcome.report.results
    assert results.base is not None
    assert results.base.sha256 == _sha256(base_model)
    assert results.base.path == f"{base[:12]}:models/a.onnx"
    params = _metric(results, "params")
    assert (params.base, params.head, params.verdict) == (32 * 32, 4 * 32 * 32, "fail")
    assert outcome.report.verdict == "fail"
    assert all(m.verdict != "improved" for t in results.targets for m in t.metrics)


def _relabel_to(model: Path, data: Path) -> bytes:
    """The eval data with labels replaced by `model`'s own predictions (a PR that relabels
    its eval set so that its model scores 100%)."""
    with np.load(data) as npz:
        arrays = dict(npz)
    session = ort.InferenceSession(str(model), providers=["CPUExecutionProvider"])
    feed = {session.get_inputs()[0].name: arrays["X"]}
    probabilities = session.run(None, feed)[-1]
    arrays["labels"] = np.asarray(probabilities).argmax(axis=1).astype(np.int64)
    out = data.parent / "relabelled.npz"
    np.savez(out, **arrays)
    return out.read_bytes()


def test_relabelled_eval_data_in_a_pr_is_not_what_judges_and_the_change_is_noted(tmp_path):
    repo = tmp_path / "repo"
    config = (
        'models:\n  - path: "models/*.onnx"\n    eval: {data: data/eval.npz, metric: top1, '
        "output: probabilities, batch_size: 64}\nthresholds: {accuracy: -0.5pp}\n" + FAST
    )
    base_data = (DEMO / "eval.npz").read_bytes()
    _init(
        repo,
        {
            "models/digits.onnx": (DEMO / "base.onnx").read_bytes(),
            "data/eval.npz": base_data,
            "mlgate.yml": config.encode(),
        },
    )
    (repo / "models" / "digits.onnx").write_bytes((DEMO / "head.onnx").read_bytes())
    relabelled = _relabel_to(DEMO / "head.onnx", DEMO / "eval.npz")
    (repo / "data" / "eval.npz").write_bytes(relabelled)
    _commit(repo)
    outcome = check(
        CheckOptions(
            base="main",
            repo=repo,
            results_dir=tmp_path / "out",
            config_from="base",
            measure_memory=False,
        )
    )
    [results] = outcome.report.results
    assert results.eval is not None
    assert results.eval.sha256 == _sha256(base_data)  # the base's labels judged
    assert results.eval.path.startswith("data/eval.npz at ")
    accuracy = _metric(results, "accuracy")
    assert accuracy.head is not None
    assert accuracy.head < 1.0
    assert accuracy.verdict == "fail"
    assert outcome.report.verdict == "fail"
    [note] = [n for n in outcome.report.notes if "data/eval.npz" in n]
    assert "the base version judges" in note
    assert "data/eval.npz changes in this pull request" in render_run_comment(outcome.report)


def test_without_the_base_config_source_eval_data_comes_from_the_work_tree(tmp_path):
    """`mlgate check` run locally (config from the work tree) still measures the files there."""
    repo = tmp_path / "repo"
    config = (
        'models:\n  - path: "models/*.onnx"\n    eval: {data: data/eval.npz, metric: top1, '
        "output: probabilities, batch_size: 64}\n" + FAST
    )
    _init(
        repo,
        {
            "models/digits.onnx": (DEMO / "base.onnx").read_bytes(),
            "data/eval.npz": (DEMO / "eval.npz").read_bytes(),
            "mlgate.yml": config.encode(),
        },
    )
    (repo / "models" / "digits.onnx").write_bytes((DEMO / "head.onnx").read_bytes())
    relabelled = _relabel_to(DEMO / "head.onnx", DEMO / "eval.npz")
    (repo / "data" / "eval.npz").write_bytes(relabelled)
    _commit(repo)
    outcome = check(
        CheckOptions(base="main", repo=repo, results_dir=tmp_path / "out", measure_memory=False)
    )
    [results] = outcome.report.results
    assert results.eval is not None
    assert results.eval.sha256 == _sha256(relabelled)
    assert not [n for n in outcome.report.notes if "eval.npz" in n]


def _compare_repo(tmp_path: Path) -> tuple[Path, bytes, bytes]:
    repo = tmp_path / "repo"
    in_git = matmul_chain(layers=1, width=8, seed=1).SerializeToString()
    _init(repo, {"models/a.onnx": in_git})
    decoy = matmul_chain(layers=1, width=8, seed=2).SerializeToString()
    (repo / "main:models").mkdir()
    (repo / "main:models" / "a.onnx").write_bytes(decoy)
    (repo / "fast.yml").write_text(FAST)
    return repo, in_git, decoy


@pytest.mark.parametrize(
    ("spec", "want"), [("main:models/a.onnx", "git"), ("./main:models/a.onnx", "file")]
)
def test_compare_rev_path_reads_git_even_when_a_file_has_that_name(
    tmp_path, monkeypatch, capsys, spec, want
):
    repo, in_git, decoy = _compare_repo(tmp_path)
    monkeypatch.chdir(repo)
    code = main(["compare", spec, "models/a.onnx", "--config", "fast.yml", "--no-memory",
                 "--json", str(tmp_path / "r.json")])  # fmt: skip
    capsys.readouterr()
    assert code in (0, 1)
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["base"]["sha256"] == _sha256(in_git if want == "git" else decoy)
    assert doc["base"]["path"] == spec


def test_model_references_parse_without_the_work_tree(tmp_path, monkeypatch):
    repo, in_git, decoy = _compare_repo(tmp_path)
    (repo / "models" / "sub").mkdir()
    monkeypatch.chdir(repo / "models")
    assert mlgit.parse_model_ref("main:a.onnx") == mlgit.GitPath("main", "models/a.onnx")
    monkeypatch.chdir(repo)
    ref = mlgit.parse_model_ref("main:models/a.onnx")
    assert ref == mlgit.GitPath("main", "models/a.onnx")
    assert mlgit.parse_model_ref("./main:models/a.onnx") is None
    assert mlgit.parse_model_ref("C:models/a.onnx") is None  # a drive letter
    assert mlgit.parse_model_ref("-main:models/a.onnx") is None  # never an option to git
    (repo / "nobranch:x.onnx").write_bytes(decoy)
    assert mlgit.parse_model_ref("nobranch:x.onnx") is None  # no such commit: the file
    with pytest.raises(GitError, match="unknown git revision 'nosuch'"):
        mlgit.parse_model_ref("nosuch:models/a.onnx")
    with pytest.raises(GitError, match="not a file inside the repository"):
        mlgit.parse_model_ref("main:../../etc/passwd")
    loaded = source.resolve(ref, tmp_path / "w")
    assert loaded.local.read_bytes() == in_git
    assert source.resolve(Path("main:models/a.onnx"), tmp_path / "w").local.read_bytes() == decoy


@pytest.mark.parametrize("name", ["-n.onnx", "new\nline.onnx", "a:b.onnx", " lead.onnx"])
def test_odd_model_paths_and_their_external_data_are_read_from_git_safely(tmp_path, name):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    folder = repo / "m:-x" / "--"
    with_external_data(matmul_chain(layers=1, width=8, seed=4), folder, name)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "odd")
    sha = git(repo, "rev-parse", "HEAD")
    shutil.rmtree(repo / "m:-x")  # only git has it now
    loaded = source.resolve(mlgit.GitPath(sha, f"m:-x/--/{name}"), tmp_path / "w", repo)
    assert loaded.local.name == name
    assert (loaded.local.parent / "weights.bin").is_file()  # from the same commit
    assert loaded.display == f"{sha[:12]}:m:-x/--/{name}"
    with pytest.raises(GitError, match="does not exist at git revision"):
        source.resolve(mlgit.GitPath(sha, "m:-x/--/missing.onnx"), tmp_path / "w2", repo)


TWO_TARGETS = (
    f"targets:\n  - {{name: cpu-a}}\n  - {{name: cpu-b}}\nenergy: {{measure: false}}\n{FAST}"
)


def _matrix_repo(tmp_path: Path) -> tuple[Path, str, str]:
    """Base config with two targets; the PR drops `cpu-b` from mlgate.yml and changes a model."""
    repo = tmp_path / "repo"
    base_model = matmul_chain(layers=1, width=8, seed=1).SerializeToString()
    base = _init(repo, {"models/a.onnx": base_model, "mlgate.yml": TWO_TARGETS.encode()})
    save(matmul_chain(layers=2, width=8, seed=2), repo / "models" / "a.onnx")
    (repo / "mlgate.yml").write_text(TWO_TARGETS.replace("  - {name: cpu-b}\n", ""))
    return repo, base, _commit(repo)


def test_plan_reads_the_target_matrix_from_the_base(tmp_path, monkeypatch, capsys):
    repo, base, head = _matrix_repo(tmp_path)
    from_base = plan(PlanOptions(base, head, repo, config_from="base"))
    assert [t["target"] for t in from_base["include"]] == ["cpu-a", "cpu-b"]
    assert from_base["models"] == ["models/a.onnx"]
    monkeypatch.chdir(repo)
    assert [t["target"] for t in plan(PlanOptions(base, head, repo))["include"]] == ["cpu-a"]
    assert main(["plan", "--base", "main", "--config-from", "base"]) == 0
    matrix = json.loads(capsys.readouterr().out)
    assert [t["target"] for t in matrix["include"]] == ["cpu-a", "cpu-b"]


def _pr_context(repo: Path, base: str, head: str) -> RunContext:
    return RunContext(
        event="pull_request",
        repository="octo-org/models",
        api_url="http://127.0.0.1:9",
        server_url="https://github.com",
        workspace=repo,
        sha=head,
        actor="someone",
        run_id="1",
        run_attempt="1",
        default_branch="main",
        token="",  # read-only: nothing is posted, the verdict and files are what is checked
        pull_request=PullRequest(7, base, head, "main", "pr", fork=True),
    )


def test_merge_mode_expects_the_base_configs_targets_and_refuses_another_base(tmp_path):
    repo, base, head = _matrix_repo(tmp_path)
    results = repo / "mlgate-results"
    options = CheckOptions(
        base=base, head=head, repo=repo, results_dir=results, config_from="base",
        measure_memory=False, optimize=False,
    )  # fmt: skip
    bench(options, "cpu-a")  # the PR's own config would plan only cpu-a
    context = _pr_context(repo, base, head)
    outcome = merge(ActionInputs(mode="merge"), context, RunnerFiles(None, None), _no_api)
    assert outcome.report is not None
    [model] = outcome.report.results
    missing = next(t for t in model.targets if t.name == "cpu-b")
    assert missing.verdict == "error"  # from the base's config: the PR cannot drop it
    assert outcome.verdict == "error"

    run_file = results / "cpu-a" / "run.json"
    report = read_run(run_file)
    forged = dataclasses.replace(report, context=dataclasses.replace(report.context, base_sha=head))
    write_results(forged, run_file)  # an artifact naming the PR's commit as its base
    (results / "run.json").unlink()
    outcome = merge(ActionInputs(mode="merge"), context, RunnerFiles(None, None), _no_api)
    assert outcome.verdict == "error"
    assert outcome.report is not None
    assert any(f"measured base {head[:12]}, but this pull request's base" in e for e in
               outcome.report.errors)  # fmt: skip


def _no_api(context: RunContext):
    raise AssertionError("a read-only run makes no API calls")


def test_eval_data_from_git_keeps_its_checks_and_says_where_it_was_read(tmp_path):
    repo = tmp_path / "repo"
    pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n"
    base = _init(
        repo,
        {
            "data/eval.npz": (DEMO / "eval.npz").read_bytes(),
            "data/lfs.npz": pointer,
            "data/bad.npz": b"\x93NUMPY one array",
        },
    )
    (repo / "data" / "eval.npz").write_bytes(b"the PR's version, never read")
    files = GateFiles(repo, base)
    data = eval_data_at(files, "data/eval.npz", tmp_path / "w", "labels", 10)
    assert data.display == f"data/eval.npz at {base[:7]}"
    assert data.sha256 == _sha256((DEMO / "eval.npz").read_bytes())
    assert data.labels is not None
    with pytest.raises(DataError, match=rf"^data/bad.npz at {base[:7]} is a single .npy array"):
        eval_data_at(files, "data/bad.npz", tmp_path / "w", "labels", 10)
    with pytest.raises(DataError, match="is a Git LFS pointer in the base commit"):
        eval_data_at(files, "data/lfs.npz", tmp_path / "w", "labels", 10)
    with pytest.raises(DataError, match="give a path in the repository"):
        eval_data_at(files, "/etc/eval.npz", tmp_path / "w", "labels", 10)
    with pytest.raises(DataError, match="eval data not found"):
        eval_data_at(files, "data/missing.npz", tmp_path / "w", "labels", 10)


def _benchmark(mean: float) -> bytes:
    rounds = [mean * (1 + 0.01 * ((i * 7) % 5)) for i in range(60)]
    stats = {"mean": mean, "stddev": mean * 0.01, "median": mean, "rounds": 60, "data": rounds}
    machine = {"cpu": {"brand_raw": "AMD EPYC"}, "machine": "x86_64", "python_version": "3.11.7"}
    document = {"machine_info": machine, "benchmarks": [{"fullname": "t::x", "stats": stats}]}
    return json.dumps(document).encode()


def test_a_pr_cannot_move_the_pytest_benchmark_baseline(tmp_path):
    """The baseline (`base` file) comes from the base commit; the PR's slower head timings
    fail against it even though the PR rewrote the baseline to look slower still."""
    repo = tmp_path / "repo"
    config = (
        "pytest_benchmark: {base: bench/base.json, head: bench/head.json}\n"
        f"thresholds: {{pytest_benchmark: +10%}}\n{FAST}"
    )
    files = {
        "models/a.onnx": matmul_chain(layers=1, width=8, seed=1).SerializeToString(),
        "bench/base.json": _benchmark(1e-3),
        "mlgate.yml": config.encode(),
    }
    _init(repo, files)
    save(matmul_chain(layers=1, width=8, seed=2), repo / "models" / "a.onnx")
    (repo / "bench" / "base.json").write_bytes(_benchmark(3e-3))
    _commit(repo)
    (repo / "bench" / "head.json").write_bytes(_benchmark(2e-3))  # this run's measurement
    outcome = check(
        CheckOptions(
            base="main",
            repo=repo,
            results_dir=tmp_path / "out",
            config_from="base",
            measure_memory=False,
        )
    )
    [results] = outcome.report.results
    extra = next(t for t in results.targets if t.name == "pytest-benchmark")
    [metric] = extra.metrics
    assert metric.change == pytest.approx(1.0, rel=1e-6)  # 2 ms against the base's 1 ms
    assert metric.verdict == "fail"
    assert any(n.startswith("bench/base.json changes in this pull request") for n in
               outcome.report.notes)  # fmt: skip
