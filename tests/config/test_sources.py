"""config.sources: the pytest-benchmark and history sections."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from mlgate.config.sources import HistoryConfig, PytestBenchmarkConfig


def test_pytest_benchmark_needs_base_and_head():
    both = PytestBenchmarkConfig(base="base.json", head="head.json")
    assert (both.base, both.head) == ("base.json", "head.json")
    with pytest.raises(ValidationError, match="head"):
        PytestBenchmarkConfig.model_validate({"base": "base.json"})


def test_history_branch_defaults_and_accepts_a_branch_name():
    assert HistoryConfig().branch == "mlgate-history"
    assert HistoryConfig().show is True
    assert HistoryConfig(branch="ci/results-1.0").branch == "ci/results-1.0"


@pytest.mark.parametrize("branch", ["-rf", "a b", "", "..;rm"])
def test_history_branch_refuses_what_is_not_a_plain_branch_name(branch):
    with pytest.raises(ValidationError, match="branch"):
        HistoryConfig(branch=branch)
