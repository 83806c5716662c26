"""Main-branch history: records keyed by model sha256 and target fingerprint, written to an
orphan branch by real git plumbing, read back into a pull request's results."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone
from pathlib import Path

from mlgate.gate.history import git_reader, history_ref, record
from mlgate.render.view import target_view
from mlgate.results.history import attach_history, build_records, find_entry, fingerprint
from mlgate.results.schema import SCHEMA_VERSION, RunContextInfo, RunReport
from mlgate.results.store import write_results
from tests.github.actions_runtime import git
from tests.render.sample import sample_results

MAIN_SHA = "c0ffee" + "0" * 34


def main_run(accuracy: float | None = None, cpu: str | None = None) -> RunReport:
    """A push to main whose head model is the sample's *head*."""
    results = sample_results(fail=False)
    if cpu is not None:
        results = dataclasses.replace(
            results, provenance=dataclasses.replace(results.provenance, cpu_model=cpu)
        )
    if accuracy is not None:
        (target,) = results.targets
        metrics = [
            dataclasses.replace(m, head=accuracy) if m.name == "accuracy" else m
            for m in target.metrics
        ]
        results = dataclasses.replace(
            results, targets=[dataclasses.replace(target, metrics=metrics)]
        )
    return RunReport(
        SCHEMA_VERSION,
        "mlgate-run",
        "2026-11-20T10:00:00+00:00",
        "pass",
        RunContextInfo(repository="o/r", event="push", head_sha=MAIN_SHA, run_url="https://x/1"),
        "mlgate.yml",
        results=[results],
    )


def pr_results():
    """A pull request whose *base* model is what main has (main's head model)."""
    results = sample_results(fail=True)
    return dataclasses.replace(results, base=main_run().results[0].head)


def test_records_are_keyed_by_model_sha_and_fingerprint_and_hold_every_head_metric():
    report = main_run()
    records = build_records(report, "2026-11-20T10:00:00+00:00")
    ((path, data),) = records.items()
    results = report.results[0]
    (target,) = results.targets
    assert (
        path
        == f"models/{results.head.sha256}/cpu-x86-{fingerprint(target, results.provenance)}.json"
    )
    record = json.loads(data)
    assert record["commit"] == MAIN_SHA
    assert record["metrics"]["latency.p50"] == next(
        m.head for m in target.metrics if m.name == "latency.p50"
    )
    assert record["eval_sha256"] == results.eval.sha256


def test_fingerprint_changes_with_the_machine_and_the_runtime():
    results = sample_results()
    (target,) = results.targets
    prov = results.provenance
    same = fingerprint(target, prov)
    assert fingerprint(target, dataclasses.replace(prov, cpu_model="Graviton3")) != same
    assert fingerprint(target, dataclasses.replace(prov, onnxruntime="9.9.9")) != same
    assert fingerprint(dataclasses.replace(target, threads=4), prov) != same
    assert fingerprint(target, dataclasses.replace(prov, python="3.12.0")) == same


def test_the_same_fingerprint_is_preferred_over_a_newer_record_from_another_machine():
    mine = build_records(main_run(), "2026-11-20T10:00:00+00:00")
    other = build_records(main_run(cpu="Graviton3"), "2026-11-22T10:00:00+00:00")
    records = [*mine.items(), *other.items(), ("junk.json", b"{not json"), ("x.json", b"[]")]
    results = pr_results()
    entry = find_entry(records, results.targets[0], results.provenance)
    assert entry is not None
    assert entry.same_machine
    assert entry.recorded_at.startswith("2026-11-20")
    only_other = find_entry(list(other.items()), results.targets[0], results.provenance)
    assert only_other is not None
    assert not only_other.same_machine


def test_a_different_base_accuracy_on_the_same_machine_is_flagged_as_non_deterministic():
    results = pr_results()
    base_accuracy = next(m.base for m in results.targets[0].metrics if m.name == "accuracy")
    same = build_records(main_run(accuracy=base_accuracy), "2026-11-20T10:00:00+00:00")
    (attached,) = attach_history([results], lambda sha: list(same.items()))
    assert attached.targets[0].history is not None
    assert not any("not deterministic" in n for n in attached.targets[0].notes)

    drifted = build_records(main_run(accuracy=base_accuracy - 0.01), "2026-11-20T10:00:00+00:00")
    (attached,) = attach_history([results], lambda sha: list(drifted.items()))
    assert any("not deterministic" in n for n in attached.targets[0].notes)


def test_the_comment_line_shows_main_values_and_says_it_is_context_only():
    records = build_records(main_run(), "2026-11-20T10:00:00+00:00")
    (attached,) = attach_history([pr_results()], lambda sha: list(records.items()))
    line = target_view(attached.targets[0]).history
    assert line.startswith(f"Last on main ({MAIN_SHA[:7]}, 2026-11-20, same machine)")
    assert "latency p50" in line
    assert "accuracy" in line
    assert "For context only" in line


def test_record_commits_to_an_orphan_branch_and_a_pr_run_reads_it_back(tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    head_before = git(repo, "rev-parse", "HEAD")
    results_dir = tmp_path / "results"
    write_results(main_run(), results_dir / "cpu" / "run.json")
    # a merged run.json above the job's own is left out (its provenance is one job's)
    write_results(main_run(cpu="merged"), results_dir / "run.json")
    now = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)

    first = record(results_dir, "mlgate-history", repo, now)
    assert first.commit is not None
    assert len(first.paths) == 1
    assert git(repo, "rev-parse", "HEAD") == head_before  # work tree and branch untouched
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "log", "--format=%P", "-1", "mlgate-history") == ""  # orphan root

    second = record(results_dir, "mlgate-history", repo, now)
    assert git(repo, "rev-parse", "mlgate-history^") == first.commit  # history is kept

    ref = history_ref("mlgate-history", repo)
    assert ref == second.commit
    sha = main_run().results[0].head.sha256
    stored = git_reader(ref, repo)(sha)
    assert len(stored) == 1
    assert git_reader(ref, repo)("0" * 64) == []
    (attached,) = attach_history([pr_results()], git_reader(ref, repo))
    assert attached.targets[0].history.commit == MAIN_SHA


def test_only_measured_head_models_and_targets_are_recorded():
    run = main_run()
    (results,) = run.results
    (target,) = results.targets
    unmeasured = [
        dataclasses.replace(target, name="errored", verdict="error", error="crashed"),
        dataclasses.replace(target, name="skipped", verdict="skipped"),
        dataclasses.replace(
            target,
            name="empty",
            metrics=[dataclasses.replace(m, head=None) for m in target.metrics],
        ),
    ]
    with_targets = dataclasses.replace(results, targets=[target, *unmeasured])
    no_head = dataclasses.replace(results, model="gone.onnx", head=None)
    records = build_records(dataclasses.replace(run, results=[with_targets, no_head]), "t")
    assert len(records) == 1
    (record,) = (json.loads(data) for data in records.values())
    assert record["target"] == target.name
    assert record["model"] == results.model


def _record(**changes: object) -> bytes:
    (data,) = build_records(main_run(), "2026-11-20T10:00:00+00:00").values()
    document = json.loads(data)
    document.update(changes)
    return json.dumps(document).encode()


def test_records_that_are_not_history_are_ignored():
    results = pr_results()
    target, provenance = results.targets[0], results.provenance
    assert find_entry([("a", _record())], target, provenance) is not None
    for junk in (
        b" " * (300 * 1024),
        _record(kind="other"),
        _record(metrics={"latency.p50": "fast"}),
        _record(metrics=[1, 2]),
        _record(commit=None),
        _record(target="another-target"),
    ):
        assert find_entry([("a", junk)], target, provenance) is None


def test_without_a_base_model_or_a_record_nothing_is_attached():
    results = pr_results()
    no_base = dataclasses.replace(results, base=None)
    asked: list[str] = []

    def read(sha: str) -> list[tuple[str, bytes]]:
        asked.append(sha)
        return []

    attached = attach_history([no_base, results], read)
    assert attached[0] is no_base
    assert attached[1].targets == results.targets
    assert asked == [results.base.sha256]


def test_accuracy_is_compared_only_for_the_same_eval_data_and_machine():
    results = pr_results()
    base_accuracy = next(m.base for m in results.targets[0].metrics if m.name == "accuracy")
    drifted = build_records(main_run(accuracy=base_accuracy - 0.01), "2026-11-20T10:00:00+00:00")
    other_data = dataclasses.replace(
        results, eval=dataclasses.replace(results.eval, sha256="0" * 64)
    )
    (attached,) = attach_history([other_data], lambda sha: list(drifted.items()))
    assert attached.targets[0].history is not None
    assert not any("not deterministic" in n for n in attached.targets[0].notes)
