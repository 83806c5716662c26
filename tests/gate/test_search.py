"""A bill users accept: the variant search takes what is left of a 180 s bill per model and
target (with a floor, and a note on what it skipped), an Action input and a CLI flag set it
or turn it off, a search result is reused from the cache, and `mlgate plan` loads no model
runtime. Real models and real searches; no timing asserts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlgate.action import read_inputs
from mlgate.bench.session import Target, runtime_limits
from mlgate.cli import main
from mlgate.config import Config, OptimizeConfig
from mlgate.errors import ConfigError
from mlgate.gate import search as variant_search
from mlgate.gate.budget import search_budget, search_wanted, target_seconds
from mlgate.gate.request import GateRequest
from mlgate.model.load import load_model
from mlgate.optimize.run import OptimizeJob
from mlgate.progress import LogProgress
from mlgate.results import search_cache
from tests.commands.matrix_repo import make_repo
from tests.github.actions_runtime import DEMO

ROOT = Path(__file__).resolve().parents[2]


# ---- the budget split ------------------------------------------------------------------------


def test_by_default_the_search_takes_what_is_left_of_the_bill():
    config = OptimizeConfig()
    assert config.bill_seconds == 180
    assert config.search_seconds(25.0) == 155.0
    assert config.search_seconds(0.0) == 180.0


def test_a_slow_model_still_gets_the_floor():
    assert OptimizeConfig().search_seconds(170.0) == 20.0
    assert OptimizeConfig(min_budget_seconds=5).search_seconds(179.0) == 5.0


def test_an_explicit_budget_is_kept_whatever_measuring_took():
    assert OptimizeConfig(budget_seconds=60).search_seconds(170.0) == 60.0


def test_the_flag_overrides_the_config_and_zero_turns_the_search_off(monkeypatch):
    monkeypatch.setenv("MLGATE_OPTIMIZE", "1")
    config = Config()
    assert search_budget(config, GateRequest("a", "b", search_budget=45), 100.0) == 45.0
    assert search_budget(config, GateRequest("a", "b"), 100.0) == 80.0
    assert search_wanted(config, GateRequest("a", "b"))
    assert not search_wanted(config, GateRequest("a", "b", search_budget=0))
    off = config.model_copy(update={"optimize": OptimizeConfig(budget_seconds=0)})
    assert not search_wanted(off, GateRequest("a", "b"))


def test_a_default_run_is_expected_to_cost_the_bill_per_model_and_target(monkeypatch):
    monkeypatch.setenv("MLGATE_OPTIMIZE", "1")
    config = Config()
    assert target_seconds(config, GateRequest("a", "b")) == 180.0
    assert target_seconds(config, GateRequest("a", "b", search_budget=0)) == 30.0
    assert target_seconds(config, GateRequest("a", "b", search_budget=10)) == 40.0


def test_the_note_says_what_the_search_skipped_for_time_and_how_to_give_it_more():
    note = variant_search.skipped_note(["fp16", "ort-basic"], 95.4, 180.0)
    assert note is not None
    for part in ("95 s", "180 s bill", "fp16, ort-basic", "--search-budget", "_seconds"):
        assert part in note
    assert variant_search.skipped_note([], 95.4, 180.0) is None


# ---- the flag and the input -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [("", None), ("0", 0.0), ("45", 45.0)])
def test_the_action_input_sets_the_search_budget(text, expected):
    assert read_inputs({"INPUT_SEARCH_BUDGET_SECONDS": text}).search_budget == expected


@pytest.mark.parametrize("text", ["soon", "-1", "1e9"])
def test_a_bad_search_budget_input_is_one_line(text):
    with pytest.raises(ConfigError, match="search_budget_seconds"):
        read_inputs({"INPUT_SEARCH_BUDGET_SECONDS": text})


def test_the_action_reads_log_level_and_cache_dir():
    inputs = read_inputs({"INPUT_LOG_LEVEL": "verbose", "INPUT_CACHE_DIR": "off"})
    assert inputs.log_level == "verbose"
    assert inputs.cache_dir == ""
    assert read_inputs({}).log_level == "normal"
    assert read_inputs({}).cache_dir == ".mlgate-cache"
    with pytest.raises(ConfigError, match="log_level"):
        read_inputs({"INPUT_LOG_LEVEL": "loud"})


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
