"""Hostile models and eval data: symlink tricks, special files, tensors that would need tens
of GB, empty and strange-but-valid arrays."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from tests import model_builders as mb
from tests.commands.test_bad_input import good_model
from tests.hostile.harness import Case, Fresh, Invocation


def _compare(tmp: Path, head: Path, *extra: str, base: Path | None = None) -> list[str]:
    return ["compare", str(base or good_model(tmp)), str(head), "--no-memory", *extra]


def _external(tmp: Path) -> Path:
    return mb.with_external_data(mb.matmul_chain(layers=1, width=8), tmp / "ext")


def _weights_link(target: str) -> Case:
    """weights.bin replaced by a symlink to `target` (relative to the model's folder)."""

    def build(tmp: Path) -> Invocation:
        model = _external(tmp)
        (tmp / "ext" / "weights.bin").unlink()
        (tmp / "ext" / "weights.bin").symlink_to(target)
        return _compare(tmp, model)

    return Case(build, "external data 'weights.bin'")


def _two_link_loop(tmp: Path) -> Invocation:
    model = _external(tmp)
    (tmp / "ext" / "weights.bin").unlink()
    (tmp / "ext" / "weights.bin").symlink_to("a")
    (tmp / "ext" / "a").symlink_to("weights.bin")
    return _compare(tmp, model)


def _directory_loop(tmp: Path) -> Invocation:
    model = _external(tmp)
    (tmp / "ext" / "d").symlink_to(".")
    mb.set_external_location(model, "d/" * 60 + "weights.bin")
    return _compare(tmp, model)


def _special(kind: str) -> Case:
    def build(tmp: Path) -> Invocation:
        path = tmp / "special.onnx"
        if kind == "fifo":
            os.mkfifo(path)
        elif kind == "directory":
            path.mkdir()
        elif kind == "loop":
            path.symlink_to("special.onnx")
        else:
            path.symlink_to(kind)
        return _compare(tmp, path)

    return Case(build, "special.onnx")


def _graph(nodes: list[onnx.NodeProto], inputs: list, outputs: list, inits=()) -> onnx.ModelProto:
    return mb.finish(helper.make_graph(nodes, "hostile", inputs, outputs, list(inits)))


def _vi(name: str, dtype: int, shape: list) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, dtype, shape)


def _constant_of_shape(dims: list[int]) -> onnx.ModelProto:
    """A scalar input plus the sum of a constant tensor of `dims`: tiny file, huge tensor."""
    shape = numpy_helper.from_array(np.array(dims, np.int64), "shape")
    fill = helper.make_tensor("fill", TensorProto.FLOAT, [1], [1.0])
    nodes = [
        helper.make_node("ConstantOfShape", ["shape"], ["big"], value=fill),
        helper.make_node("ReduceSum", ["big"], ["total"], keepdims=0),
        helper.make_node("Add", ["x", "total"], ["y"]),
    ]
    return _graph(
        nodes, [_vi("x", TensorProto.FLOAT, [1])], [_vi("y", TensorProto.FLOAT, [1])], [shape]
    )


def _expand(dims: list[int]) -> onnx.ModelProto:
    shape = numpy_helper.from_array(np.array(dims, np.int64), "shape")
    nodes = [
        helper.make_node("Expand", ["x", "shape"], ["big"]),
        helper.make_node("ReduceMax", ["big"], ["y"], keepdims=0),
    ]
    return _graph(
        nodes, [_vi("x", TensorProto.FLOAT, [1, 1])], [_vi("y", TensorProto.FLOAT, [])], [shape]
    )


def _huge_tensor(model: onnx.ModelProto, *extra: str) -> Case:
    def build(tmp: Path) -> Invocation:
        path = mb.save(model, tmp / "huge.onnx")
        return _compare(tmp, path, *extra, base=path)

    return Case(build, "over limits.memory_mb")


def _over_configured_limit(tmp: Path) -> Invocation:
    """256 MB for one tensor, against a 64 MB limit."""
    (tmp / "c.yml").write_text("limits: {memory_mb: 64}\n")
    path = mb.save(_constant_of_shape([8192, 8192]), tmp / "big.onnx")
    return _compare(tmp, path, "--config", str(tmp / "c.yml"), base=path)


def _huge_tensor_in_process(tmp: Path) -> Invocation:
    """No child process (isolate: false) and a fresh process under a 3 GiB address-space
    limit: the 40 GB tensor is refused before anything is allocated."""
    path = mb.save(_constant_of_shape([100_000, 100_000]), tmp / "huge.onnx")
    (tmp / "c.yml").write_text("limits: {isolate: false}\n")
    words = ["compare", str(path), str(path), "--no-memory", "--config", str(tmp / "c.yml")]
    return Fresh(words)


def _dims(dims: list) -> Case:
    def build(tmp: Path) -> Invocation:
        model = _graph(
            [helper.make_node("Relu", ["x"], ["y"])],
            [_vi("x", TensorProto.FLOAT, dims)],
            [_vi("y", TensorProto.FLOAT, dims)],
        )
        path = mb.save(model, tmp / "dims.onnx")
        return _compare(tmp, path, "--budget-seconds", "0.5", base=path)

    return Case(build, "", codes=(0, 2))


def _nested_ifs(tmp: Path) -> Invocation:
    """Thirty If nodes inside each other's then-branches."""
    leaf = "o"
    body = helper.make_graph(
        [helper.make_node("Identity", ["x"], [leaf])],
        "leaf",
        [],
        [_vi(leaf, TensorProto.FLOAT, [1, 8])],
    )
    for depth in range(30):
        other = helper.make_graph(
            [helper.make_node("Identity", ["x"], [f"e{depth}"])],
            f"e{depth}",
            [],
            [_vi(f"e{depth}", TensorProto.FLOAT, [1, 8])],
        )
        node = helper.make_node("If", ["c"], [f"o{depth}"], then_branch=body, else_branch=other)
        body = helper.make_graph(
            [node], f"g{depth}", [], [_vi(f"o{depth}", TensorProto.FLOAT, [1, 8])]
        )
    node = helper.make_node("If", ["c"], ["y"], then_branch=body, else_branch=body)
    model = _graph(
        [node],
        [_vi("x", TensorProto.FLOAT, [1, 8]), _vi("c", TensorProto.BOOL, [])],
        [_vi("y", TensorProto.FLOAT, [1, 8])],
    )
    path = mb.save(model, tmp / "nested.onnx")
    return _compare(tmp, path, "--budget-seconds", "0.5", base=path)


def _hostile_metadata(tmp: Path) -> Invocation:
    """Markdown, HTML, mentions and workflow commands in the model's own strings."""
    model = mb.matmul_chain(layers=1, width=8)
    model.doc_string = "@octocat <img src=x onerror=alert(1)> ::set-output name=x::y"
    model.producer_name = "](javascript:alert(1)) <!--"
    helper.set_model_props(model, {"description": "\n::error::injected\n" * 50})
    path = mb.save(model, tmp / "meta.onnx")
    return _compare(tmp, path, "--budget-seconds", "0.5", "--comment", str(tmp / "c.md"))


def _comment_escaped(tmp: Path) -> None:
    comment = (tmp / "c.md").read_text()
    assert "<img" not in comment
    assert "@octocat" not in comment


def _odd_name(tmp: Path) -> Invocation:
    folder = tmp / "models ## <b>x</b> @team"
    path = mb.save(mb.matmul_chain(layers=1, width=8), folder / "a`b|c*d.onnx")
    return _compare(tmp, path, "--budget-seconds", "0.5", "--comment", str(tmp / "c.md"), base=path)


def data_case(expect: str, codes: tuple[int, ...] = (2,), **arrays: np.ndarray) -> Case:
    def build(tmp: Path) -> Invocation:
        np.savez(tmp / "eval.npz", **arrays)
        model = good_model(tmp)
        words = ["--data", str(tmp / "eval.npz"), "--budget-seconds", "0.5"]
        return _compare(tmp, model, *words, base=model)

    after = _accuracy_was_measured if codes != (2,) and "labels" in arrays else None
    return Case(build, expect, codes, after)


def _npz_members(members: dict[str, bytes], expect: str) -> Case:
    def build(tmp: Path) -> Invocation:
        with zipfile.ZipFile(tmp / "eval.npz", "w") as archive:
            for name, content in members.items():
                archive.writestr(name, content)
        return _compare(tmp, good_model(tmp), "--data", str(tmp / "eval.npz"))

    return Case(build, expect)


_HUGE_HEADER = (
    b"\x93NUMPY\x01\x00F\x00{'descr': '<f4', 'fortran_order': False, "
    b"'shape': (99999999999,), }      \n"
)
ROWS = np.ones((4, 8), np.float32)
LABELS = np.arange(4, dtype=np.int64) % 8


def _accuracy_was_measured(tmp: Path) -> None:
    doc = json.loads((tmp / "out" / "results.json").read_text())
    assert doc["verdict"] in ("pass", "fail", "inconclusive")
    assert doc["targets"][0]["metrics"], doc


CASES: dict[str, Case] = {
    # external data and model paths: symlink loops and links out (point 2)
    "model-external-symlink-self-loop": _weights_link("weights.bin"),
    "model-external-symlink-two-link-loop": Case(_two_link_loop, "symlink loop"),
    "model-external-symlink-directory-loop": Case(_directory_loop, "symlink loop"),
    "model-external-symlink-to-dev-zero": _weights_link("/dev/zero"),
    "model-external-symlink-to-etc": _weights_link("/etc/hostname"),
    "model-path-fifo": _special("fifo"),
    "model-path-directory": _special("directory"),
    "model-path-symlink-loop": _special("loop"),
    "model-path-dev-zero": _special("/dev/zero"),
    "model-path-etc-passwd": Case(_special("/etc/passwd").build, "not a valid ONNX model"),
    # tensors that would need tens of GB (point 6)
    "model-constant-of-shape-40-gb": _huge_tensor(_constant_of_shape([100_000, 100_000])),
    "model-expand-40-gb": _huge_tensor(_expand([100_000, 100_000])),
    "model-constant-of-shape-over-configured-limit": Case(
        _over_configured_limit, "over limits.memory_mb (64 MB)"
    ),
    "model-huge-tensor-in-process-fresh": Case(_huge_tensor_in_process, "over limits.memory_mb"),
    # shapes and graphs that are strange but valid
    "model-zero-dim": _dims([0, 8]),
    "model-negative-dim": _dims([-5, 8]),
    "model-symbolic-dims-everywhere": _dims(["a", "b", "c", "d"]),
    "model-nested-ifs": Case(_nested_ifs, "", codes=(0, 2)),
    "model-hostile-metadata": Case(_hostile_metadata, "", (0, 1), _comment_escaped),
    "model-odd-file-name": Case(_odd_name, "", codes=(0,)),
    # eval data (points 3 and 7)
    "data-zero-rows": data_case("holds zero examples", x=np.zeros((0, 8), np.float32)),
    "data-zero-rows-with-labels": data_case(
        "holds zero examples", x=np.zeros((0, 8), np.float32), labels=np.zeros(0, np.int64)
    ),
    "data-zero-labels": data_case("holds zero examples", x=ROWS, labels=np.zeros(0, np.int64)),
    "data-big-endian": data_case("", (0, 1), x=ROWS.astype(">f4"), labels=LABELS),
    "data-big-endian-labels": data_case("", (0, 1), x=ROWS, labels=LABELS.astype(">i8")),
    "data-fortran-order": data_case("", (0, 1), x=np.asfortranarray(ROWS), labels=LABELS),
    "data-big-endian-wrong-dtype-names-byte-order": data_case("is float64", x=ROWS.astype(">f8")),
    "data-scalar-input": data_case("expects rank 2", x=np.float32(1.0)),
    "data-nan-labels": data_case("labels hold 4 NaN", x=ROWS, labels=np.full(4, np.nan)),
    "data-unicode-array-name": data_case("is not an input", x=ROWS, **{"ünï\u202ecode": ROWS}),
    "data-directory-member-with-array-header": _npz_members(
        {"dir/": _HUGE_HEADER}, "member 'dir/' is not a numpy array"
    ),
    "data-text-member-with-array-header": _npz_members(
        {"notes.txt": _HUGE_HEADER}, "member 'notes.txt' is not a numpy array"
    ),
    "data-member-path-traversal": _npz_members({"../../x.npy": b"\x93NUMPY"}, "eval.npz"),
}
