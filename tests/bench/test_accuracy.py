import numpy as np
import pytest

from mlgate.bench.accuracy import Output, fidelity, normalise, row_cosine, task_metric
from mlgate.errors import DataError


def test_zipmap_sequence_of_maps_becomes_a_table_with_class_keys():
    table, keys = normalise([{2: 0.1, 0: 0.7, 1: 0.2}, {0: 0.1, 1: 0.1, 2: 0.8}])
    assert keys.tolist() == [0, 1, 2]
    assert table.tolist() == [[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]]


def test_top1_from_scores_labels_and_string_classes():
    scores = Output("p", [np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], np.float32)])
    assert task_metric("top1", scores, np.array([0, 1, 1])) == pytest.approx(2 / 3)
    labels = Output("label", [np.array([0, 1, 1], np.int64)])
    assert task_metric("top1", labels, np.array([0, 1, 1])) == 1.0
    named = Output("p", [np.array([[0.9, 0.1], [0.2, 0.8]])], classes=np.array(["cat", "dog"]))
    assert task_metric("top1", named, np.array(["cat", "cat"])) == 0.5
    one_hot = np.array([[1, 0], [0, 1], [1, 0]], np.float32)
    assert task_metric("top1", scores, one_hot) == 1.0


def test_topk_and_regression_metrics():
    scores = Output("p", [np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7]])])
    assert task_metric("topk:2", scores, np.array([1, 0])) == 0.5
    values = Output("y", [np.array([[1.0], [3.0]])])
    assert task_metric("mse", values, np.array([2.0, 3.0])) == 0.5
    assert task_metric("mae", values, np.array([2.0, 5.0])) == 1.5
    assert (
        task_metric("cosine", Output("e", [np.array([[1.0, 0.0]])]), np.array([[2.0, 0.0]])) == 1.0
    )


def test_metric_errors_say_what_is_needed():
    with pytest.raises(DataError, match="one entry per example"):
        task_metric("top1", Output("l", [np.array([0, 1])]), np.array([0, 1, 2]))
    with pytest.raises(DataError, match="class scores"):
        task_metric("top1", Output("y", [np.array([0.3, 0.4])]), np.array([0, 1]))


def test_batches_are_joined_along_axis_0():
    out = Output("p", [np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])])
    assert task_metric("top1", out, np.array([0, 1])) == 1.0


def test_fidelity_identical_and_changed():
    base = [Output("label", [np.array([0, 1])]), Output("p", [np.array([[0.9, 0.1], [0.4, 0.6]])])]
    same = fidelity(base, base, "p")
    assert (same.max_abs_diff, same.cosine, same.top1_agreement) == (0.0, 1.0, 1.0)
    head = [Output("label", [np.array([0, 0])]), Output("p", [np.array([[0.9, 0.1], [0.7, 0.3]])])]
    changed = fidelity(base, head, "p")
    assert changed.max_abs_diff == pytest.approx(0.3)
    assert changed.top1_agreement == 0.5
    assert changed.cosine < 1.0


def test_row_cosine_zero_vectors():
    assert row_cosine(np.zeros((2, 3)), np.zeros((2, 3))) == 1.0
    assert row_cosine(np.zeros((1, 3)), np.ones((1, 3))) == 0.0


def test_batches_of_different_widths_cannot_be_joined():
    out = Output("p", [np.zeros((1, 2)), np.zeros((1, 3))])
    with pytest.raises(DataError, match=r"output 'p' cannot be joined across batches"):
        out.joined()


def test_sequences_become_arrays_and_ragged_ones_object_arrays():
    stacked, keys = normalise([np.array([1, 2]), np.array([3, 4])])
    assert keys is None
    assert stacked.tolist() == [[1, 2], [3, 4]]
    ragged, _ = normalise([np.array([1]), np.array([2, 3])])
    assert ragged.dtype == object
    assert len(ragged) == 2
    scalar, _ = normalise(2.5)
    assert scalar.shape == ()


def test_topk_uses_class_names_and_needs_scores():
    named = Output("p", [np.array([[0.1, 0.5, 0.4]])], classes=np.array(["a", "b", "c"]))
    assert task_metric("topk:2", named, np.array(["c"])) == 1.0
    assert task_metric("topk:1", named, np.array(["c"])) == 0.0
    with pytest.raises(DataError, match="topk:2 needs class scores"):
        task_metric("topk:2", Output("label", [np.array([0, 1])]), np.array([0, 1]))


def test_regression_needs_one_label_per_value_and_a_known_metric():
    values = Output("y", [np.array([[1.0, 2.0]])])
    with pytest.raises(DataError, match="labels have 3 values, output 'y' has 2"):
        task_metric("mse", values, np.array([1.0, 2.0, 3.0]))
    assert task_metric("cosine", values, np.array([2.0, 4.0])) == pytest.approx(1.0)
    with pytest.raises(DataError, match="metric 'fidelity' needs no labels"):
        task_metric("fidelity", values, np.array([1.0, 2.0]))
