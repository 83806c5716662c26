"""Inputs for measurement: eval data from `.npz` (checked against the model signature and
split into batches) or seeded synthetic inputs built from the signature."""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlgate.bench.session import InputSpec
from mlgate.errors import DataError
from mlgate.model.shapes import guessed_shape, named_dim_sizes

_MB = 1024 * 1024
SYNTHETIC_SEED = 0
DEFAULT_INDEX_BOUND = 2  # integer inputs of unknown meaning: small, valid as ids and flags


@dataclass(frozen=True)
class EvalData:
    path: Path
    display: str
    sha256: str
    arrays: dict[str, np.ndarray]  # model inputs, by name
    labels: np.ndarray | None


@dataclass(frozen=True)
class Batch:
    feeds: dict[str, np.ndarray]
    labels: np.ndarray | None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_eval_data(path: Path, labels_key: str = "labels", max_mb: float = 1024.0) -> EvalData:
    """Read an `.npz` of plain arrays (no pickles) and split off the labels."""
    shown = str(path)
    try:
        size = path.stat().st_size if path.is_file() else -1
    except OSError:  # a name too long, a symlink loop
        size = -1
    if size < 0:
        raise DataError(f"eval data not found: {shown}")
    if size > max_mb * _MB:
        raise DataError(
            f"{shown} is over the {max_mb:.0f} MB eval-data limit; raise limits.data_size_mb"
        )
    with path.open("rb") as handle:
        magic = handle.read(6)
    if magic.startswith(b"\x93NUMPY"):
        raise DataError(
            f"{shown} is a single .npy array; save an .npz with one named array per model input "
            "(np.savez(path, input_name=array, labels=array))"
        )
    if not magic.startswith(b"PK"):
        raise DataError(
            f"{shown} is not a readable .npz file (not a zip archive); write it with "
            "np.savez(path, input_name=array, labels=array)"
        )
    try:
        _check_members(path, shown, max_mb)
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except DataError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise DataError(
                f"{shown} holds object arrays (pickled data), which are never loaded: save "
                "plain numeric or string arrays with np.savez"
            ) from None
        raise DataError(f"{shown} is not a readable .npz file: {exc}") from None
    except (OSError, zipfile.BadZipFile, EOFError, NotImplementedError, KeyError) as exc:
        raise DataError(
            f"{shown} is not a readable .npz file ({exc}); write it with np.savez(path, "
            "input_name=array, labels=array)"
        ) from None
    if not arrays:
        raise DataError(f"{shown} holds no arrays; it needs one array per model input")
    arrays = {name: _plain(array) for name, array in arrays.items()}
    labels = arrays.pop(labels_key, None)
    data = EvalData(
        path=path, display=shown, sha256=file_sha256(path), arrays=arrays, labels=labels
    )
    check_not_empty(data)
    return data


def _plain(array: np.ndarray) -> np.ndarray:
    """Native byte order and C order: big-endian or Fortran-ordered arrays are valid data,
    and the runtime and the metrics get what they expect."""
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return array if array.flags.c_contiguous else array.copy(order="C")


def check_not_empty(data: EvalData) -> None:
    """At least one example: zero rows would make every metric an empty mean."""
    if example_count(data) == 0 or any(a.size == 0 for a in data.arrays.values()):
        raise DataError(
            f"{data.display} holds zero examples (an array with 0 rows or 0 elements); "
            "save at least one example per input"
        )


def _check_members(path: Path, shown: str, max_mb: float) -> None:
    """Before anything is decompressed or allocated: the archive's unpacked size stays under
    the limit (zip bombs), and no array declares more data than its member holds."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if unpacked > max_mb * _MB:
            raise DataError(
                f"{shown} unpacks to {unpacked / _MB:,.0f} MB, over the {max_mb:.0f} MB "
                "eval-data limit; raise limits.data_size_mb if intended"
            )
        for member in members:
            with archive.open(member) as handle:
                if not member.filename.endswith(".npy") or handle.read(6) != b"\x93NUMPY":
                    raise DataError(
                        f"{shown}: member '{member.filename}' is not a numpy array; an eval "
                        "file holds only arrays: write it with np.savez"
                    )
            with archive.open(member) as handle:
                version = np.lib.format.read_magic(handle)
                read_header = (
                    np.lib.format.read_array_header_1_0
                    if version == (1, 0)
                    else np.lib.format.read_array_header_2_0
                )
                shape, _, dtype = read_header(handle)
            declared = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
            if declared > member.file_size:
                name = member.filename.removesuffix(".npy")
                raise DataError(
                    f"{shown}: array '{name}' declares shape {list(shape)} "
                    f"({declared / _MB:,.1f} MB) but holds {member.file_size:,} bytes; the "
                    "file is truncated or crafted: write it again with np.savez"
                )


def _shape_text(shape: Iterable[int | str | None]) -> str:
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def check_array(array: np.ndarray, spec: InputSpec, where: str) -> None:
    """Raise `DataError` unless `array` fits the declared dtype, rank and fixed dims."""
    expected = spec.dtype
    if expected is None:
        raise DataError(
            f"{where}: input '{spec.name}' has type {spec.type}, which is not supported"
        )
    ok = array.dtype.kind in "UO" if expected is np.str_ else array.dtype == np.dtype(expected)
    if not ok:
        wanted = np.dtype(expected).name if expected is not np.str_ else "str"
        raise DataError(
            f"{where}: array '{spec.name}' is {array.dtype.name}, but the model input expects "
            f"{spec.type}; save it with .astype('{wanted}')"
        )
    if array.ndim != len(spec.shape):
        raise DataError(
            f"{where}: array '{spec.name}' has shape {list(array.shape)}, but the model input "
            f"expects rank {len(spec.shape)} {_shape_text(spec.shape)}"
        )
    for axis, (got, want) in enumerate(zip(array.shape, spec.shape, strict=False)):
        if isinstance(want, int) and want > 0 and got != want:
            raise DataError(
                f"{where}: array '{spec.name}' has {got} at axis {axis} (shape "
                f"{list(array.shape)}), but the model input expects {_shape_text(spec.shape)}"
            )


def example_count(data: EvalData) -> int:
    if data.labels is not None and data.labels.ndim > 0:
        return int(data.labels.shape[0])
    leading = [a.shape[0] for a in data.arrays.values() if a.ndim > 0]
    return max(set(leading), key=leading.count) if leading else 1


def check_names(data: EvalData, inputs: list[InputSpec], known: set[str], display: str) -> None:
    """Every model input has an array; every array belongs to some model being compared."""
    names = [spec.name for spec in inputs]
    for name in names:
        if name not in data.arrays:
            raise DataError(
                f"{data.display} has no array for input '{name}' of {display} (model inputs: "
                f"{', '.join(names)}; arrays in the file: {', '.join(sorted(data.arrays))})"
            )
    unknown = sorted(set(data.arrays) - known)
    if unknown:
        raise DataError(
            f"{data.display}: array '{unknown[0]}' is not an input of the models (inputs: "
            f"{', '.join(sorted(known))}); rename it, or set eval.labels if it holds the labels"
        )


def make_batches(
    data: EvalData,
    inputs: list[InputSpec],
    batch_size: int | None,
    display: str,
    known: set[str] | None = None,
) -> list[Batch]:
    """Feeds for `inputs`, checked against their specs; split along axis 0 if asked.

    With `batch_size`, an input is split when its array has one row per example and the
    model's first dimension is dynamic or equals `batch_size`; states and scalars go whole.
    """
    check_names(data, inputs, known or {s.name for s in inputs}, display)
    arrays = {spec.name: data.arrays[spec.name] for spec in inputs}
    where = f"{data.display} vs {display}"
    if batch_size is None:
        for spec in inputs:
            check_array(arrays[spec.name], spec, where)
        return [Batch(feeds=arrays, labels=data.labels)]
    count = example_count(data)
    split = {
        spec.name
        for spec in inputs
        if arrays[spec.name].ndim > 0
        and arrays[spec.name].shape[0] == count
        and (not isinstance(spec.shape[0], int) or spec.shape[0] in (batch_size, -1, 0))
    }
    if not split:
        raise DataError(
            f"{where}: eval.batch_size is set but no input has {count} rows along axis 0 "
            "with a dynamic first dimension; remove batch_size to feed the arrays whole"
        )
    fixed = [
        s for s in inputs if s.name in split and isinstance(s.shape[0], int) and s.shape[0] > 0
    ]
    if fixed and count % batch_size:
        raise DataError(
            f"{where}: {count} examples do not divide into batches of {batch_size}, and input "
            f"'{fixed[0].name}' has a fixed batch dimension; use a batch_size that divides {count}"
        )
    batches = []
    for start in range(0, count, batch_size):
        rows = slice(start, start + batch_size)
        feeds = {name: (a[rows] if name in split else a) for name, a in arrays.items()}
        labels = data.labels[rows] if data.labels is not None and data.labels.ndim > 0 else None
        batches.append(Batch(feeds=feeds, labels=labels))
    for spec in inputs:
        check_array(batches[0].feeds[spec.name], spec, where)
    return batches


def fixed_batch(data: EvalData, inputs: list[InputSpec]) -> int | None:
    """The batch a model fixes on an input whose eval array stacks a different number of
    examples along axis 0 (e.g. 16 examples for an input of shape [1, 1, 64, W]): such
    data is fed that many examples per call."""
    count = example_count(data)
    for spec in inputs:
        array = data.arrays.get(spec.name)
        first = spec.shape[0] if spec.shape else None
        if (
            array is not None
            and array.ndim == len(spec.shape) > 0
            and isinstance(first, int)
            and first > 0
            and array.shape[0] == count != first
            and count % first == 0
        ):
            return first
    return None


def eval_batch_size(data: EvalData, inputs: list[InputSpec], configured: int | None) -> int | None:
    """The configured batch size, else the model's fixed batch when the data stacks more
    examples, else None (the arrays go whole)."""
    return configured if configured is not None else fixed_batch(data, inputs)


def one_call_feeds(
    data: EvalData, inputs: list[InputSpec], configured: int | None, display: str
) -> dict[str, np.ndarray] | None:
    """Inputs for one timed call: the first batch of the configured size, else of the
    model's fixed batch, else one example where the batch dimension is free. None when the
    arrays cannot be split (they are then timed whole)."""
    size = configured or fixed_batch(data, inputs) or 1
    try:
        return make_batches(data, inputs, size, display)[0].feeds
    except DataError:
        if configured is not None:
            raise
        return None


# ---- synthetic inputs ------------------------------------------------------------------------


def synthetic_shape(
    spec: InputSpec, configured: list[int] | None, display: str, named: dict[str, int] | None = None
) -> list[int]:
    if configured is not None:
        if len(configured) != len(spec.shape):
            raise DataError(
                f"inputs.{spec.name} in the config has rank {len(configured)}, but input "
                f"'{spec.name}' of {display} is {_shape_text(spec.shape)}"
            )
        for axis, (got, want) in enumerate(zip(configured, spec.shape, strict=False)):
            if isinstance(want, int) and want > 0 and got != want:
                raise DataError(
                    f"inputs.{spec.name} in the config sets {got} at axis {axis}, but {display} "
                    f"fixes it to {want} {_shape_text(spec.shape)}"
                )
        return list(configured)
    return guessed_shape(spec, named if named is not None else named_dim_sizes([spec]))


def _synthetic_array(
    spec: InputSpec, shape: list[int], rng: np.random.Generator, bound: int | None
) -> np.ndarray:
    dtype = spec.dtype
    name = spec.name.lower()
    if dtype is None:
        raise DataError(f"input '{spec.name}' has type {spec.type}: give eval data for it")
    if dtype is np.str_:
        return np.full(shape, "a", dtype=np.str_)
    if dtype is np.bool_:
        return np.asarray(rng.random(shape) < 0.5)
    if np.issubdtype(dtype, np.integer):
        if "mask" in name:
            return np.ones(shape, dtype=dtype)
        if "type" in name or "segment" in name or "position" in name:
            return np.zeros(shape, dtype=dtype)
        return rng.integers(0, bound or DEFAULT_INDEX_BOUND, size=shape).astype(dtype)
    return np.asarray(rng.standard_normal(shape), dtype=dtype)


def synthetic_feeds(
    inputs: list[InputSpec],
    configured: Mapping[str, list[int]],
    display: str,
    index_bounds: Mapping[str, int] | None = None,
) -> dict[str, np.ndarray]:
    """Seeded inputs from the signature: same model and config, same arrays, every run.
    Integer inputs stay below `index_bounds` (embedding sizes) where known."""
    rng = np.random.default_rng(SYNTHETIC_SEED)
    named = named_dim_sizes(inputs)
    feeds = {}
    for spec in inputs:
        shape = synthetic_shape(spec, configured.get(spec.name), display, named)
        bound = (index_bounds or {}).get(spec.name)
        feeds[spec.name] = _synthetic_array(spec, shape, rng, bound)
    return feeds
