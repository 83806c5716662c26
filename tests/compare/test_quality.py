"""Quality observations: the task metric's paired change, and the head's agreement with the
base's outputs, including the case where no output could be compared at all."""

from __future__ import annotations

import numpy as np

from mlgate.compare.quality import quality_observations
from mlgate.results.measurements import Fidelity, Measured

SIZES = {"size": (100, 100), "params": (10, 10)}


def test_nothing_measured_gives_no_quality_observation():
    assert quality_observations(Measured(**SIZES), 0.95) == []


def test_accuracy_is_paired_on_the_same_examples():
    base = np.array([1.0] * 90 + [0.0] * 10)
    head = np.array([1.0] * 80 + [0.0] * 20)
    measured = Measured(
        **SIZES,
        eval_metric="top1",
        accuracy=(0.9, 0.8),
        accuracy_scores=(base, head),
        accuracy_binary=True,
    )
    (found,) = quality_observations(measured, 0.95)
    assert found.spec.name == "accuracy"
    assert (found.base, found.head) == (0.9, 0.8)
    assert found.better_up is True
    assert found.paired is not None
    assert found.source == found.paired.method
    assert found.eval_metric == "top1"


def test_an_error_metric_is_better_down_and_without_scores_has_no_paired_change():
    measured = Measured(**SIZES, eval_metric="mse", accuracy=(0.2, 0.3))
    (found,) = quality_observations(measured, 0.95)
    assert found.better_up is False
    assert found.paired is None
    assert found.source == ""


def test_each_fidelity_figure_measured_is_an_observation_of_the_head():
    measured = Measured(**SIZES, fidelity=Fidelity(max_abs_diff=0.01, cosine=0.999))
    found = quality_observations(measured, 0.95)
    assert [o.spec.name for o in found] == ["fidelity.cosine", "fidelity.max_abs_diff"]
    assert [o.head for o in found] == [0.999, 0.01]
    assert all(o.base is None for o in found)
    assert found[0].source == "head vs base outputs on the eval inputs"


def test_no_comparable_output_is_one_undecidable_cosine_with_the_reason():
    measured = Measured(**SIZES, fidelity=Fidelity(inputs="synthetic"))
    (found,) = quality_observations(measured, 0.95)
    assert found.spec.name == "fidelity.cosine"
    assert found.head is None
    assert "no output of head and base could be compared" in found.note
    assert "synthetic" in found.source
