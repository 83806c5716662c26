"""Fuzzing the loaders that read PR-controlled input: whatever the bytes, nothing escapes but
our own error type. Example counts are bounded and the runs derandomized, so CI stays fast
and a failure reproduces."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile

import numpy as np
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mlgate.bench.inputs import load_eval_data, make_batches
from mlgate.bench.session import InputSpec
from mlgate.compare.thresholds import ThresholdSyntaxError, parse_threshold
from mlgate.config import parse_config
from mlgate.errors import ConfigError, DataError
from mlgate.results import store
from tests.render.sample import sample_results

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CONFIG_KEYS = [
    "version", "models", "targets", "thresholds", "latency", "energy", "limits", "path",
    "eval", "data", "metric", "inputs", "name", "providers", "threads", "budget_seconds",
    "latency.p50", "accuracy", "memory_mb", "timeout_seconds", "allow_domains",
    "price_per_hour", "watts_per_core", "batch_size", "output",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["+5%", "-0.5pp", ">= 0.99", "off", "top1", "topk:5", "**/*.onnx"]),
)
yaml_trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(CONFIG_KEYS) | st.text(max_size=8), children, max_size=5),
    ),
    max_leaves=20,
)


@FUZZ
@given(st.text(max_size=300))
def test_config_text_never_escapes_config_error(text):
    with contextlib.suppress(ConfigError):
        parse_config(text, "mlgate.yml")


@FUZZ
@given(yaml_trees)
def test_config_structures_never_escape_config_error(tree):
    with contextlib.suppress(ConfigError):
        parse_config(yaml.safe_dump(tree, allow_unicode=True), "mlgate.yml")


@FUZZ
@given(st.one_of(scalars, st.text(alphabet="+-<>=.%pPx0123456789e ", max_size=12)))
def test_threshold_parser_raises_only_its_syntax_error(text):
    try:
        threshold = parse_threshold(text)
    except ThresholdSyntaxError:
        return
    assert threshold.text  # a parsed threshold can always be shown back


def _mutate(document, path, value):
    """Replace the value at `path` (a list of keys/indices) in a copy of `document`."""
    if not path:
        return value
    head, *rest = path
    copy = list(document) if isinstance(document, list) else dict(document)
    copy[head] = _mutate(document[head], rest, value)
    return copy


def _paths(document, prefix=()):
    yield list(prefix)
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            yield from _paths(value, (*prefix, index))


VALID = json.loads(store.dumps(sample_results()))
PATHS = list(_paths(VALID))


@FUZZ
@given(st.sampled_from(PATHS), yaml_trees)
def test_results_loader_mutations_raise_only_data_error(path, value):
    document = _mutate(VALID, path, value)
    data = json.dumps(document, allow_nan=True).encode()
    with contextlib.suppress(DataError):
        store.from_dict(store.parse_json(data, "results.json"), "results.json")


@FUZZ
@given(st.binary(max_size=400))
def test_results_loader_bytes_raise_only_data_error(data):
    with contextlib.suppress(DataError):
        store.from_dict(store.parse_json(data, "results.json"), "results.json")


def _zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@FUZZ
@given(
    st.one_of(
        st.binary(max_size=300),
        st.dictionaries(
            st.sampled_from(["x.npy", "labels.npy", "ids.npy", "notes.txt", "dir/"]),
            st.one_of(
                st.binary(max_size=80),
                st.binary(max_size=40).map(lambda b: b"\x93NUMPY\x01\x00v\x00" + b),
                st.just(
                    b"\x93NUMPY\x01\x00F\x00{'descr': '<f4', 'fortran_order': False, "
                    b"'shape': (99999999999,), }      \n"
                ),
            ),
            max_size=3,
        ).map(_zip_of),
    )
)
def test_eval_data_bytes_raise_only_data_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "eval.npz"
    path.write_bytes(data)
    with contextlib.suppress(DataError):
        load_eval_data(path)


SPECS = [
    InputSpec("x", "tensor(float)", ("N", 4)),
    InputSpec("ids", "tensor(int64)", ("N", "seq")),
]
arrays = hnp.arrays(
    dtype=st.sampled_from([np.float32, np.float64, np.int64, np.int32, np.bool_, np.uint8]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
)


@FUZZ
@given(
    st.dictionaries(st.sampled_from(["x", "ids", "labels", "extra"]), arrays, max_size=4),
    st.one_of(st.none(), st.integers(1, 6)),
)
def test_eval_arrays_against_a_signature_raise_only_data_error(tmp_path_factory, named, batch):
    path = tmp_path_factory.mktemp("fuzz") / "eval.npz"
    np.savez(path, **named)
    try:
        data = load_eval_data(path)
        make_batches(data, SPECS, batch, "model.onnx")
    except DataError:
        pass
