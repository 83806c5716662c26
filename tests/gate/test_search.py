"""gate.search: the variant search within a gate run: a note on what it skipped for time, a
flag that sets it, a result reused from the cache, and `mlgate plan` loads no model runtime.
The budget split is tested in gate/test_budget.py, the Action input in test_action.py. Real
models and real searches; no timing asserts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlgate.bench.session import Target, runtime_limits
from mlgate.cli import main
from mlgate.config import OptimizeConfig
from mlgate.gate import search as variant_search
from mlgate.model.load import load_model
from mlgate.optimize.run import OptimizeJob
from mlgate.progress import LogProgress
from mlgate.results import search_cache
from tests.commands.matrix_repo import make_repo
from tests.github.actions_runtime import DEMO

ROOT = Path(__file__).resolve().parents[2]


# ---- the search's note --------------------------------------------------------------------------


def test_the_note_says_what_the_search_skipped_for_time_and_how_to_give_it_more():
    note = variant_search.skipped_note(["fp16", "ort-basic"], 95.4, 180.0)
    assert note is not None
    for part in ("95 s", "180 s bill", "fp16, ort-basic", "--search-budget", "_seconds"):
        assert part in note
    assert variant_search.skipped_note([], 95.4, 180.0) is None


# ---- the flag and the input -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-5", "soon"])
def test_a_bad_search_budget_flag_is_exit_2(value, capsys):
    assert main(["compare", "a.onnx", "b.onnx", "--search-budget", value]) == 2
    assert "--search-budget" in capsys.readouterr().err


def test_the_cache_folder_comes_from_the_environment(tmp_path):
    assert search_cache.default_dir({"MLGATE_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert search_cache.default_dir({"MLGATE_CACHE_DIR": "off"}) is None
    assert search_cache.default_dir({"HOME": "/h"}) == Path("/h/.cache/mlgate")


# ---- the cache, with a real model and a real (short) search -----------------------------------


def _job(
    model: str = "head.onnx", threads: int = 1, runtimes: tuple[str, ...] | None = None
) -> OptimizeJob:
    loaded = load_model(DEMO / model, runtime_limits(), display=model)
    target = Target("cpu", ("CPUExecutionProvider",), threads, runtimes)
    quick = OptimizeConfig(screen_seconds=0.3, final_seconds=1.0, drift="off")
    return OptimizeJob(None, loaded, target, None, "fidelity", None, None, {}, quick)


def test_a_search_is_reused_from_the_cache_on_a_rerun(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    lines: list[str] = []
    first = variant_search.optimize_head(_job(), lambda: 4.0, cache, LogProgress(lines.append))
    records = list((cache / "search").glob("*.json"))
    assert len(records) == 1
    assert first.variants  # it searched
    assert not any("reused from cache" in n for n in first.notes)
    assert any("searching for a faster variant … " in line for line in lines)

    def no_search(job):
        raise AssertionError("the cached search should have been reused")

    monkeypatch.setattr(variant_search, "run_search", no_search)
    again = variant_search.optimize_head(_job(), lambda: 4.0, cache, LogProgress(lines.append))
    assert [v.name for v in again.variants] == [v.name for v in first.variants]
    assert again.recommended == first.recommended
    assert again.deployment == first.deployment  # how to run it, reused too
    reused = [n for n in again.notes if "reused from cache" in n]
    assert reused
    assert reused[0].startswith("search reused from cache, measured 20")
    assert " on " in reused[0]


def test_another_model_thread_count_or_runtime_choice_is_a_miss(tmp_path):
    jobs = (_job(), _job("base.onnx"), _job(threads=2), _job(runtimes=("onnxruntime",)))
    head, base, two, ort_only = (variant_search.search_key(j) for j in jobs)
    assert len({head.digest(), base.digest(), two.digest(), ort_only.digest()}) == 4
    assert head.fingerprint["runtimes"]["openvino"]  # the installed version is in the key
    # The time budget is not part of the key: a re-run with another budget reuses it.
    budget = _job()
    budget = OptimizeJob(**{**budget.__dict__, "config": budget.config.model_copy(
        update={"budget_seconds": 99.0})})  # fmt: skip
    assert variant_search.search_key(budget).digest() == head.digest()


def test_a_damaged_cache_record_is_a_miss_not_an_error(tmp_path):
    key = variant_search.search_key(_job())
    path = tmp_path / "search" / f"{key.digest()}.json"
    path.parent.mkdir(parents=True)
    for text in ("{not json", json.dumps({"kind": "x"}), json.dumps([1, 2])):
        path.write_text(text)
        assert search_cache.load(tmp_path, key) is None
    assert search_cache.load(None, key) is None


# ---- the plan job -----------------------------------------------------------------------------


def test_plan_loads_no_model_runtime(tmp_path):
    repo = make_repo(tmp_path, allow_missing=False)
    script = (
        "import sys\n"
        "from mlgate.cli import main\n"
        "code = main(['plan', '--base', 'main'])\n"
        "print('RUNTIME' if 'onnxruntime' in sys.modules else 'NO-RUNTIME', code)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=repo, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "models/digits.onnx" in done.stdout
    assert done.stdout.strip().endswith("NO-RUNTIME 0")
