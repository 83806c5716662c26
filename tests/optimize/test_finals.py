"""The search's finals: a full interleaved A/B of each screened candidate on real
onnxruntime sessions. A candidate with a large real speedup wins; the original itself never
clears the bar; a candidate with no time left for its A/B says so and is not judged."""

from __future__ import annotations

from pathlib import Path

from mlgate.bench.runtimes.base import LoadOptions
from mlgate.bench.runtimes.onnxruntime import OnnxRuntime
from mlgate.optimize.fidelity import Budget
from mlgate.optimize.finals import finals
from mlgate.optimize.search_job import Candidate, SearchInput, SearchSettings
from mlgate.optimize.search_run import SearchRun
from mlgate.results.schema import VariantResult
from tests import model_builders as mb
from tests.optimize.search_jobs import CPU

WIDTH = 256


def _run(tmp_path: Path, budget_seconds: float, min_speedup: float) -> SearchRun:
    path = mb.save(mb.matmul_chain(layers=16, width=WIDTH, batch=8), tmp_path / "big.onnx")
    job = SearchInput(path, "big.onnx", CPU, None, "fidelity", None, None, {"x": [8, WIDTH]})
    settings = SearchSettings(budget_seconds=budget_seconds, final_seconds=1.0,
                              min_speedup=min_speedup)  # fmt: skip
    return SearchRun(job, Budget(), settings, tmp_path)


def _candidate(run: SearchRun, name: str, path: Path) -> Candidate:
    index = run.record(VariantResult(name, [name], "screened"))
    candidate = Candidate(name, path, index, 0.5, OnnxRuntime(), LoadOptions(1))
    run.candidates.append(candidate)
    return candidate


def test_a_much_smaller_model_wins_and_the_original_does_not(tmp_path):
    run = _run(tmp_path, budget_seconds=60, min_speedup=1.5)
    small = mb.save(mb.matmul_chain(layers=1, width=WIDTH, batch=8), tmp_path / "small.onnx")
    same = _candidate(run, "same", run.job.path)
    fast = _candidate(run, "small", small)
    winner = finals(run)
    assert winner == fast
    assert run.variants[fast.index].status == "recommended"
    assert run.variants[fast.index].speedup is not None
    assert run.variants[fast.index].speedup_ci is not None
    row = run.variants[same.index]
    assert row.status == "not faster"  # 1.5× from the same file: never
    assert row.speedup is not None
    assert row.reason


def test_no_time_left_for_a_final_is_a_note_and_no_winner(tmp_path):
    run = _run(tmp_path, budget_seconds=0.001, min_speedup=1.0)
    candidate = _candidate(run, "same", run.job.path)
    assert finals(run) is None
    assert run.variants[candidate.index].status == "screened"  # not judged
    (note,) = run.notes[-1:]
    assert note.startswith("same: no time left for the final A/B (")
    assert note.endswith("needed); raise optimize.budget_seconds")
