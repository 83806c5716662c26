"""gate.check_request: what a run over every changed model is asked. By default it compares
against the merge base, with the work tree's config, into mlgate-results/."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mlgate.config import DEFAULT_CONFIG_NAME
from mlgate.gate.check_request import RUN_FILE, CheckOptions, CheckOutcome
from mlgate.results.schema import SCHEMA_VERSION, RunContextInfo, RunReport


def test_defaults_compare_head_against_the_merge_base_with_the_work_trees_config():
    options = CheckOptions(base="main")
    assert (options.head, options.use_merge_base) == ("HEAD", True)
    assert options.config_from == "worktree"
    assert options.config_path == DEFAULT_CONFIG_NAME
    assert options.results_dir == Path("mlgate-results")
    assert options.model_globs == ()
    assert (options.measure_memory, options.optimize, options.on_inconclusive) == (True, True, None)
    assert options.context == RunContextInfo()


def test_options_are_frozen_and_results_go_to_run_json():
    options = CheckOptions(base="main")
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.base = "dev"  # type: ignore[misc]
    assert RUN_FILE == "run.json"
    report = RunReport(
        SCHEMA_VERSION, "mlgate-run", "2026-11-20T10:00:00+00:00", "pass", RunContextInfo(), "d"
    )
    outcome = CheckOutcome(0, report, options.results_dir / RUN_FILE)
    assert outcome.error is None
    assert outcome.run_file == Path("mlgate-results/run.json")
