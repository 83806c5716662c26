"""Safe model loading: every way a model file can be wrong becomes a `ModelError` that says
what to do. External data is resolved only from inside the model's folder; weights are not
read into memory here (onnxruntime reads them itself, from the validated folder)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import onnx
from google.protobuf.message import DecodeError

from mlgate.errors import ModelError

LFS_POINTER_PREFIX = b"version https://git-lfs.github.com/spec/"
_MB = 1024 * 1024


@dataclass(frozen=True)
class RuntimeLimits:
    """What the installed runtime can read; probed from onnxruntime by `bench.session`."""

    runtime: str  # "onnxruntime 1.31.1"
    max_ir_version: int
    max_opsets: dict[str, int]  # domain ("" for ai.onnx) -> highest opset


@dataclass(frozen=True)
class LoadedModel:
    path: Path  # the file on disk (what the runtime opens)
    display: str  # how the user named it, e.g. `main:models/net.onnx`
    proto: onnx.ModelProto  # external data not loaded
    sha256: str  # over the model file and its external data files
    size_bytes: int  # model file plus external data
    external_files: tuple[Path, ...]


def iter_graphs(graph: onnx.GraphProto) -> Iterator[onnx.GraphProto]:
    """The graph and every subgraph (If/Loop/Scan bodies), depth first."""
    yield graph
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                yield from iter_graphs(attr.g)
            elif attr.type == onnx.AttributeProto.GRAPHS:
                for sub in attr.graphs:
                    yield from iter_graphs(sub)


def iter_tensors(graph: onnx.GraphProto) -> Iterator[onnx.TensorProto]:
    """Initializers and constant tensors of the graph and all subgraphs."""
    for g in iter_graphs(graph):
        yield from g.initializer
        for sparse in g.sparse_initializer:
            yield sparse.values
        for node in g.node:
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.TENSOR:
                    yield attr.t
                elif attr.type == onnx.AttributeProto.TENSORS:
                    yield from attr.tensors


def external_locations(proto: onnx.ModelProto) -> list[tuple[str, int, int | None]]:
    """(location, offset, length) of every externally stored tensor."""
    found = []
    for tensor in iter_tensors(proto.graph):
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            continue
        info = {entry.key: entry.value for entry in tensor.external_data}
        length = info.get("length")
        offset = _integer(info.get("offset") or "0", "offset", tensor.name)
        found.append(
            (
                info.get("location", ""),
                offset,
                _integer(length, "length", tensor.name) if length else None,
            )
        )
    return found


def _integer(text: str, key: str, tensor: str) -> int:
    """An external data `offset` or `length`; anything else is a broken model (ModelError)."""
    try:
        return int(text)
    except ValueError:
        raise ModelError(
            f"external data of tensor {tensor[:80]!r} has {key} {text[:40]!r}, not an integer: "
            "the model is corrupt; re-export it"
        ) from None


def safe_external_path(folder: Path, location: str, display: str) -> Path:
    """Resolve `location` inside `folder`, refusing anything that would leave it."""
    hint = "external data must be stored in files inside the model's folder"
    if not location:
        raise ModelError(f"{display}: an initializer is marked external but names no file")
    if Path(location).is_absolute() or location.startswith(("\\", "/")) or ":" in location:
        raise ModelError(f"{display}: external data path '{location}' is absolute; {hint}")
    if ".." in Path(location).parts or ".." in location.replace("\\", "/").split("/"):
        raise ModelError(
            f"{display}: external data path '{location}' leaves the model's folder; {hint}"
        )
    try:
        root = folder.resolve()
        target = (folder / location).resolve()
    except (RuntimeError, OSError):  # RuntimeError: a symlink loop (Python < 3.13)
        raise ModelError(
            f"{display}: external data '{location}' is a symlink loop or cannot be resolved; {hint}"
        ) from None
    if root != target and root not in target.parents:
        raise ModelError(
            f"{display}: external data '{location}' resolves outside the model's folder "
            f"(a symlink?); {hint}"
        )
    return target


def _check_external_data(proto: onnx.ModelProto, path: Path, display: str) -> tuple[Path, ...]:
    files: dict[Path, int] = {}
    for location, offset, length in external_locations(proto):
        target = safe_external_path(path.parent, location, display)
        if target not in files:
            if not (_is_regular_file(target) and _is_regular_file(path.parent / location)):
                raise ModelError(
                    f"{display}: external data file '{location}' is missing (or a symlink loop); "
                    "keep it beside the model (and fetch it if it is stored with Git LFS)"
                )
            files[target] = target.stat().st_size
        end = offset + (length or 0)
        if end > files[target]:
            raise ModelError(
                f"{display}: external data '{location}' is truncated (needs {end} bytes, "
                f"has {files[target]}); re-export the model"
            )
    return tuple(sorted(files))


def _is_regular_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # ELOOP, ENAMETOOLONG, EACCES
        return False


def _sha256(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for file in paths:
        with file.open("rb") as handle:
            for chunk in iter(functools.partial(handle.read, 1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _read_header(path: Path, display: str, max_bytes: int) -> int:
    try:
        exists, regular = path.exists(), path.is_file()
        size = path.stat().st_size if regular else 0
    except OSError as exc:  # a symlink loop, a name too long, no permission
        raise ModelError(f"{display} cannot be read: {exc.strerror or exc}") from None
    if not exists:
        why = " (a broken symlink or a symlink loop?)" if path.is_symlink() else ""
        raise ModelError(f"model file not found: {display}{why}")
    if not regular:
        raise ModelError(f"{display} is not a regular file")
    if size == 0:
        raise ModelError(f"{display} is empty (0 bytes): not an ONNX model")
    if size > max_bytes:
        raise ModelError(
            f"{display} is {size / _MB:.1f} MB, over the {max_bytes / _MB:.0f} MB limit; "
            "raise limits.model_size_mb in mlgate.yml if this is intended"
        )
    with path.open("rb") as handle:
        head = handle.read(len(LFS_POINTER_PREFIX))
    if head.startswith(LFS_POINTER_PREFIX):
        raise ModelError(
            f"{display} is a Git LFS pointer, not the model: fetch the real file with "
            "`git lfs pull` (in GitHub Actions set `lfs: true` on actions/checkout)"
        )
    return size


def _parse(path: Path, display: str) -> onnx.ModelProto:
    try:
        proto = onnx.load_model(str(path), load_external_data=False)
    except (DecodeError, RuntimeWarning, ValueError, OSError) as exc:
        raise ModelError(
            f"{display} is not a valid ONNX model (protobuf parse failed: {exc}); "
            "is the file truncated or corrupt?"
        ) from None
    if proto.ir_version <= 0 or not proto.HasField("graph") or not proto.graph.output:
        raise ModelError(
            f"{display} is not a complete ONNX model (no IR version, graph or outputs); "
            "is the file truncated or not a model?"
        )
    return proto


def check_runtime_support(proto: onnx.ModelProto, display: str, limits: RuntimeLimits) -> None:
    """IR version and opsets the installed runtime can execute."""
    if proto.ir_version > limits.max_ir_version:
        raise ModelError(
            f"{display} has IR version {proto.ir_version}, but {limits.runtime} reads at most "
            f"IR {limits.max_ir_version}: set `model.ir_version = {limits.max_ir_version}` and "
            "re-save it (or export with an older onnx), or upgrade onnxruntime"
        )
    for opset in proto.opset_import:
        domain = "" if opset.domain == "ai.onnx" else opset.domain
        highest = limits.max_opsets.get(domain)
        if highest is not None and opset.version > highest:
            name = domain or "ai.onnx"
            raise ModelError(
                f"{display} imports opset {opset.version} of {name}, but {limits.runtime} "
                f"supports at most {highest}: export with opset <= {highest} "
                "(or convert with onnx.version_converter), or upgrade onnxruntime"
            )


def _run_checker(path: Path, display: str) -> None:
    try:
        onnx.checker.check_model(str(path))
    except (onnx.checker.ValidationError, ValueError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"{display} fails the ONNX checker: {first}") from None


def load_model(
    path: Path, limits: RuntimeLimits, display: str | None = None, max_mb: float = 2048.0
) -> LoadedModel:
    """Validate and parse a model file, in the order that gives the most useful message."""
    shown = display or str(path)
    max_bytes = int(max_mb * _MB)
    size = _read_header(path, shown, max_bytes)
    proto = _parse(path, shown)
    check_runtime_support(proto, shown, limits)
    external = _check_external_data(proto, path, shown)
    total = size + sum(file.stat().st_size for file in external)
    if total > max_bytes:
        raise ModelError(
            f"{shown} with its external data is {total / _MB:.1f} MB, over the "
            f"{max_mb:.0f} MB limit; raise limits.model_size_mb in mlgate.yml if intended"
        )
    _run_checker(path, shown)
    return LoadedModel(
        path=path,
        display=shown,
        proto=proto,
        sha256=_sha256([path, *external]),
        size_bytes=total,
        external_files=external,
    )
