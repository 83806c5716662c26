"""The search's records: defaults of its settings and inputs, and how numbers are rounded
for the table."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mlgate.optimize.search_job import SearchInput, SearchSettings, rounded, rounded_pair
from tests.optimize.search_jobs import CPU


def test_numbers_are_rounded_for_the_table():
    assert rounded(None) is None
    assert rounded(np.float32(1.23456789)) == 1.234568
    assert isinstance(rounded(np.float64(2.0)), float)
    assert rounded(1.23456789, 2) == 1.23
    assert rounded_pair((1.234567, 2.345678)) == (1.2346, 2.3457)


def test_settings_and_input_defaults():
    settings = SearchSettings()
    assert settings.screen_seconds < settings.final_seconds < settings.budget_seconds
    assert (settings.finalists, settings.min_speedup, settings.confidence) == (2, 1.0, 0.95)
    job = SearchInput(Path("m.onnx"), "m.onnx", CPU, None, "fidelity", None, None)
    assert job.input_shapes == {}
    assert job.runtimes is None  # every available runtime
