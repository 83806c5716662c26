"""The measurement records: plain values the bench fills and the judge reads."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mlgate.results.measurements import Fidelity, Measured, Memory, Pricing


def test_measured_defaults_say_nothing_was_measured():
    measured = Measured(size=(10, 12), params=(3, 3))
    assert (measured.accuracy, measured.fidelity, measured.memory) == (None, None, None)
    assert (measured.latency_base, measured.energy) == (None, None)
    assert measured.pricing == Pricing()
    assert measured.notes == []


def test_records_are_frozen_values():
    memory = Memory(session_bytes=1, peak_bytes=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        memory.peak_bytes = 3  # type: ignore[misc]
    assert Fidelity(cosine=0.99).inputs == "eval"


def test_each_measured_gets_its_own_notes():
    first = Measured(size=(1, 1), params=(1, 1), latency_base=np.ones(3))
    first.notes.append("x")
    assert Measured(size=(1, 1), params=(1, 1)).notes == []
