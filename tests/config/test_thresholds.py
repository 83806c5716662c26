"""config.thresholds: a threshold names a known metric, parses in its direction, or is off."""

from __future__ import annotations

import pytest

from mlgate.config.thresholds import check_accuracy_units, check_threshold, is_disabled


@pytest.mark.parametrize("text", [None, False, "off", " None ", "no", "", "FALSE"])
def test_words_that_turn_a_check_off(text):
    assert is_disabled(text)


@pytest.mark.parametrize("text", ["+5%", 0, True, "on"])
def test_other_values_do_not(text):
    assert not is_disabled(text)


def test_a_valid_threshold_and_an_off_one_pass():
    check_threshold("latency.p50", "+5%")
    check_threshold("latency.p50", "off")


def test_an_unknown_metric_suggests_the_close_one():
    with pytest.raises(
        ValueError, match=r"unknown metric 'latency.p5'; did you mean 'latency.p50'"
    ):
        check_threshold("latency.p5", "+5%")


def test_unparsable_threshold_names_the_metric():
    with pytest.raises(ValueError, match=r"^threshold for 'latency.p50': "):
        check_threshold("latency.p50", "fast please")


def test_accuracy_in_points_is_refused_for_an_error_metric():
    with pytest.raises(ValueError, match="is in points, but metric 'mse' is an error"):
        check_accuracy_units("accuracy", "-0.5pp", "mse")
    check_accuracy_units("accuracy", "-0.5pp", "top1")  # a score: points are fine
    check_accuracy_units("accuracy", "+5%", "mse")
    check_accuracy_units("latency.p50", "-0.5pp", "mse")  # only the accuracy threshold
