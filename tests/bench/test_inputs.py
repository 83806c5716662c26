import numpy as np
import pytest

from mlgate.bench.inputs import (
    EvalData,
    load_eval_data,
    make_batches,
    named_dim_sizes,
    synthetic_feeds,
)
from mlgate.bench.session import InputSpec
from mlgate.errors import DataError

X = InputSpec("x", "tensor(float)", ("N", 3))
STATE = InputSpec("h0", "tensor(float)", (1, "N", 4))
SCALAR = InputSpec("flag", "tensor(bool)", ())


def data(**arrays) -> EvalData:
    labels = arrays.pop("labels", None)
    return EvalData(path=None, display="eval.npz", sha256="0", arrays=arrays, labels=labels)


def test_whole_arrays_by_default():
    batches = make_batches(
        data(x=np.ones((10, 3), np.float32), labels=np.arange(10)), [X], None, "m"
    )
    assert len(batches) == 1
    assert batches[0].feeds["x"].shape == (10, 3)
    assert batches[0].labels.shape == (10,)


def test_batching_splits_examples_and_feeds_states_and_scalars_whole():
    arrays = {
        "x": np.arange(30, dtype=np.float32).reshape(10, 3),
        "h0": np.zeros((1, 4, 4), np.float32),
        "flag": np.array(True),
        "labels": np.arange(10),
    }
    batches = make_batches(data(**arrays), [X, STATE, SCALAR], 4, "m")
    assert [b.feeds["x"].shape[0] for b in batches] == [4, 4, 2]
    assert all(b.feeds["h0"].shape == (1, 4, 4) for b in batches)
    assert all(b.feeds["flag"].shape == () for b in batches)
    assert np.concatenate([b.labels for b in batches]).tolist() == list(range(10))
    assert batches[2].feeds["x"][0, 0] == 24.0


def test_fixed_batch_dimension_must_divide():
    fixed = InputSpec("x", "tensor(float)", (4, 3))
    ok = make_batches(data(x=np.ones((8, 3), np.float32)), [fixed], 4, "m")
    assert len(ok) == 2
    with pytest.raises(DataError, match="do not divide"):
        make_batches(data(x=np.ones((10, 3), np.float32)), [fixed], 4, "m")


def test_string_inputs_are_accepted():
    text = InputSpec("text", "tensor(string)", ("N",))
    batches = make_batches(data(text=np.array(["a", "b"])), [text], None, "m")
    assert batches[0].feeds["text"].tolist() == ["a", "b"]


def test_npy_file_is_explained(tmp_path):
    np.save(tmp_path / "x.npy", np.ones(3))
    with pytest.raises(DataError, match=r"single \.npy array"):
        load_eval_data(tmp_path / "x.npy")


def test_labels_key_is_configurable(tmp_path):
    np.savez(tmp_path / "e.npz", x=np.ones((2, 3), np.float32), y_true=np.array([0, 1]))
    loaded = load_eval_data(tmp_path / "e.npz", labels_key="y_true")
    assert list(loaded.arrays) == ["x"]
    assert loaded.labels.tolist() == [0, 1]
    assert len(loaded.sha256) == 64


def test_synthetic_inputs_are_seeded_and_shape_consistent():
    ids = InputSpec("input_ids", "tensor(int64)", ("batch", "sequence"))
    mask = InputSpec("attention_mask", "tensor(int64)", ("batch", "sequence"))
    image = InputSpec("image", "tensor(float)", ("batch", 3, "h", "w"))
    first = synthetic_feeds([ids, mask, image, STATE], {}, "m", {"input_ids": 7})
    again = synthetic_feeds([ids, mask, image, STATE], {}, "m", {"input_ids": 7})
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert first["input_ids"].shape == (1, 128)
    assert first["input_ids"].max() < 7
    assert np.all(first["attention_mask"] == 1)
    assert first["image"].shape == (1, 3, 224, 224)
    assert first["h0"].shape == (1, 1, 4)  # "N" is a batch name wherever it appears


def test_synthetic_shapes_from_config_are_checked():
    ids = InputSpec("input_ids", "tensor(int64)", ("batch", 16))
    assert synthetic_feeds([ids], {"input_ids": [2, 16]}, "m")["input_ids"].shape == (2, 16)
    with pytest.raises(DataError, match="fixes it to 16"):
        synthetic_feeds([ids], {"input_ids": [2, 8]}, "m")
    with pytest.raises(DataError, match="rank 1"):
        synthetic_feeds([ids], {"input_ids": [2]}, "m")


def test_named_dims():
    sizes = named_dim_sizes([InputSpec("a", "tensor(float)", ("seq_len", "batch", "d"))])
    assert sizes == {"seq_len": 128, "batch": 1, "d": 16}
