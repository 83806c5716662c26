"""Bad-input cases: each exits 2 with exactly one line on stderr, no traceback, and (where a
results path was given) the partial results say what went wrong. `CASES` is run by the
hostile-input corpus (tests/hostile/test_corpus.py), with its time, memory and
nothing-written-outside checks; the tests here cover partial results and the crash path."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper

from mlgate.cli import main
from tests import model_builders as mb

Case = Callable[[Path], list[str]]


def good_model(tmp: Path, name: str = "good.onnx") -> Path:
    return mb.save(mb.matmul_chain(layers=1, width=8), tmp / name)


def _compare(tmp: Path, base: Path, head: Path | None = None, *extra: str) -> list[str]:
    return ["compare", str(base), str(head or base), "--no-memory", *extra]


def _config(tmp: Path, text: str) -> list[str]:
    path = tmp / "mlgate.yml"
    path.write_text(text)
    return _compare(tmp, good_model(tmp), None, "--config", str(path))


def _model_bytes(tmp: Path, data: bytes) -> list[str]:
    bad = tmp / "bad.onnx"
    bad.write_bytes(data)
    return _compare(tmp, good_model(tmp), bad)


def _model(tmp: Path, model: onnx.ModelProto) -> list[str]:
    return _compare(tmp, good_model(tmp), mb.save(model, tmp / "bad.onnx"))


def _external(tmp: Path, location: str) -> list[str]:
    path = mb.with_external_data(mb.matmul_chain(layers=1, width=8), tmp / "ext")
    mb.set_external_location(path, location)
    return _compare(tmp, good_model(tmp), path)


def _symlink_out(tmp: Path) -> list[str]:
    path = mb.with_external_data(mb.matmul_chain(layers=1, width=8), tmp / "ext")
    outside = tmp / "outside.bin"
    (tmp / "ext" / "weights.bin").rename(outside)
    (tmp / "ext" / "weights.bin").symlink_to(outside)
    return _compare(tmp, good_model(tmp), path)


def _bad_waiver(tmp: Path) -> list[str]:
    waivers = tmp / "mlgate-waivers.yml"
    waivers.write_text("- {model: '*', metric: size, reason: accepted, expires: someday}\n")
    return _compare(tmp, good_model(tmp), None, "--waivers", str(waivers))


def _custom_domain(tmp: Path) -> list[str]:
    graph = helper.make_graph(
        [helper.make_node("Exfiltrate", ["x"], ["y"], domain="evil.ops")],
        "custom",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 8])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 8])],
    )
    return _model(tmp, mb.finish(graph, {"": 17, "evil.ops": 1}))


def _huge_declared_input(tmp: Path) -> list[str]:
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "huge",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 200_000, 100_000])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 200_000, 100_000])],
    )
    model = mb.finish(graph)
    return _compare(tmp, mb.save(model, tmp / "huge_base.onnx"), mb.save(model, tmp / "h.onnx"))


def _configured_shape_over_limit(tmp: Path) -> list[str]:
    (tmp / "mlgate.yml").write_text(
        "models: [{path: '**', inputs: {x: [1000000, 8]}}]\nlimits: {memory_mb: 16}\n"
    )
    return _compare(tmp, good_model(tmp), None, "--config", str(tmp / "mlgate.yml"))


def _npz_members(tmp: Path, members: dict[str, bytes]) -> list[str]:
    import zipfile

    with zipfile.ZipFile(tmp / "eval.npz", "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return _compare(tmp, good_model(tmp), None, "--data", str(tmp / "eval.npz"))


# Found by the fuzzer: a header declaring 373 GiB in a few bytes was allocated before reading.
_HUGE_NPY = (
    b"\x93NUMPY\x01\x00F\x00{'descr': '<f4', 'fortran_order': False, "
    b"'shape': (99999999999,), }      \n"
)


def _data(tmp: Path, **arrays: np.ndarray) -> list[str]:
    np.savez(tmp / "eval.npz", **arrays)
    return _compare(tmp, good_model(tmp), None, "--data", str(tmp / "eval.npz"))


def _too_new_ir(tmp: Path) -> list[str]:
    model = mb.matmul_chain(layers=1, width=8)
    model.ir_version = 99
    return _model(tmp, model)


def _too_new_opset(tmp: Path) -> list[str]:
    model = mb.matmul_chain(layers=1, width=8)
    model.opset_import[0].version = 99
    return _model(tmp, model)


def _checker_failure(tmp: Path) -> list[str]:
    node = helper.make_node("Relu", ["missing"], ["y"])
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    return _model(tmp, mb.finish(graph))


def _unknown_custom_op(tmp: Path) -> list[str]:
    """An allowed custom domain whose kernels onnxruntime does not have."""
    (tmp / "allow.yml").write_text("limits: {allow_domains: [com.example]}\n")
    node = helper.make_node("Frobnicate", ["x"], ["y"], domain="com.example")
    graph = helper.make_graph(
        [node],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    model = mb.save(mb.finish(graph, {"": 17, "com.example": 1}), tmp / "bad.onnx")
    return _compare(tmp, good_model(tmp), model, "--config", str(tmp / "allow.yml"))


def _nan_outputs(tmp: Path) -> list[str]:
    model = mb.save(mb.nan_model(), tmp / "nan.onnx")
    np.savez(tmp / "eval.npz", x=-np.ones((3, 4), np.float32))
    return _compare(tmp, model, None, "--data", str(tmp / "eval.npz"))


def _pickled(tmp: Path) -> list[str]:
    np.savez(tmp / "eval.npz", x=np.array([{"a": 1}], dtype=object))
    return _compare(tmp, good_model(tmp), None, "--data", str(tmp / "eval.npz"))


def _labels_mismatch(tmp: Path) -> list[str]:
    np.savez(tmp / "eval.npz", x=np.ones((4, 8), np.float32), labels=np.zeros(3, np.int64))
    return _compare(tmp, good_model(tmp), None, "--data", str(tmp / "eval.npz"))


def _size_limit(tmp: Path) -> list[str]:
    (tmp / "c.yml").write_text("limits: {model_size_mb: 0.0001}\n")
    return _compare(tmp, good_model(tmp), None, "--config", str(tmp / "c.yml"))


def _missing_output(tmp: Path) -> list[str]:
    (tmp / "c.yml").write_text("models: [{path: '**', eval: {output: nope}}]\n")
    np.savez(tmp / "eval.npz", x=np.ones((2, 8), np.float32), labels=np.zeros(2, np.int64))
    return _compare(
        tmp, good_model(tmp), None, "--data", str(tmp / "eval.npz"), "--config", str(tmp / "c.yml")
    )


def _truncated(tmp: Path) -> list[str]:
    data = mb.cnn().SerializeToString()
    return _model_bytes(tmp, data[: len(data) // 2])


def _report_folder(tmp: Path, files: dict[str, str]) -> list[str]:
    folder = tmp / "results"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    if not files:
        from mlgate.results.store import write_results
        from tests.render.sample import sample_results

        write_results(sample_results(fail=False), folder / "results.json")
    return ["report", "--results", str(folder), "--release", "v1", "--out", str(tmp / "r")]


def _report_template(tmp: Path, text: str, name: str = "report.md.j2") -> list[str]:
    templates = tmp / "templates"
    templates.mkdir()
    (templates / name).write_text(text)
    return [*_report_folder(tmp, {}), "--templates", str(templates)]


CASES: dict[str, tuple[Case, str]] = {
    # config (point 2)
    "config-typo-key": (lambda t: _config(t, "thresholdz: {}\n"), "did you mean 'thresholds'"),
    "config-wrong-type": (
        lambda t: _config(t, "latency: {budget_seconds: soon}\n"),
        "latency.budget_seconds",
    ),
    "config-bad-metric": (
        lambda t: _config(t, "models: [{path: a, eval: {metric: top3}}]\n"),
        "top1, topk:K",
    ),
    "config-bad-threshold": (
        lambda t: _config(t, "thresholds: {latency.p50: fast}\n"),
        "'fast' is not a threshold",
    ),
    "config-wrong-direction": (
        lambda t: _config(t, "thresholds: {latency.p50: '-5%'}\n"),
        "write '+5%'",
    ),
    "config-unknown-metric": (
        lambda t: _config(t, "thresholds: {latncy.p50: '+5%'}\n"),
        "did you mean 'latency.p50'",
    ),
    "config-points-on-error-metric": (
        lambda t: _config(
            t, "models: [{path: a, eval: {metric: mse}}]\nthresholds: {accuracy: -1pp}\n"
        ),
        "use a relative threshold",
    ),
    "config-yaml-syntax": (lambda t: _config(t, "models: [unclosed\n"), "invalid YAML"),
    "config-not-mapping": (
        lambda t: _config(t, "- just\n- a list\n"),
        "top level must be a mapping",
    ),
    "config-version": (lambda t: _config(t, "version: 2\n"), "version"),
    "config-duplicate-targets": (
        lambda t: _config(t, "targets: [{name: a}, {name: a}]\n"),
        "unique",
    ),
    "config-missing-file": (
        lambda t: _compare(t, good_model(t), None, "--config", str(t / "nope.yml")),
        "config file not found",
    ),
    # model (point 3)
    "model-missing": (
        lambda t: _compare(t, good_model(t), t / "nope.onnx"),
        "model file not found",
    ),
    "model-empty": (lambda t: _model_bytes(t, b""), "is empty"),
    "model-lfs-pointer": (
        lambda t: _model_bytes(
            t, b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n"
        ),
        "lfs: true",
    ),
    "model-truncated": (_truncated, "truncated"),
    "model-garbage": (
        lambda t: _model_bytes(t, b"\xff\xfe not a protobuf at all \x00\x01"),
        "not a",
    ),
    "model-ir-too-new": (_too_new_ir, "IR version 99"),
    "model-opset-too-new": (_too_new_opset, "opset 99"),
    "model-external-dotdot": (
        lambda t: _external(t, "../outside.bin"),
        "leaves the model's folder",
    ),
    "model-external-absolute": (lambda t: _external(t, "/etc/passwd"), "is absolute"),
    "model-external-symlink": (_symlink_out, "outside the model's folder"),
    "model-external-missing": (lambda t: _external(t, "gone.bin"), "is missing"),
    "model-checker": (_checker_failure, "ONNX checker"),
    "model-unknown-op": (_unknown_custom_op, "onnxruntime cannot load"),
    "model-size-limit": (_size_limit, "limits.model_size_mb"),
    # eval data (point 4)
    "data-missing-file": (
        lambda t: _compare(t, good_model(t), None, "--data", str(t / "nope.npz")),
        "eval data not found",
    ),
    "data-not-npz": (
        lambda t: (
            (t / "eval.npz").write_text("x,y\n1,2\n")
            and _compare(t, good_model(t), None, "--data", str(t / "eval.npz"))
        ),
        "not a readable .npz",
    ),
    "data-pickled": (_pickled, "pickled"),
    "data-missing-input": (
        lambda t: _data(t, y=np.ones((2, 8), np.float32)),
        "no array for input 'x'",
    ),
    "data-extra-array": (
        lambda t: _data(t, x=np.ones((2, 8), np.float32), lables=np.zeros(2)),
        "array 'lables' is not an input",
    ),
    "data-dtype": (lambda t: _data(t, x=np.ones((2, 8), np.float64)), "astype('float32')"),
    "data-rank": (lambda t: _data(t, x=np.ones((2, 8, 1), np.float32)), "expects rank 2"),
    "data-fixed-dim": (lambda t: _data(t, x=np.ones((2, 9), np.float32)), "has 9 at axis 1"),
    "data-labels-count": (_labels_mismatch, "one entry per example"),
    "data-nan-outputs": (_nan_outputs, "NaN"),
    "data-unknown-output": (_missing_output, "eval.output 'nope'"),
    # usage
    "usage-unknown-flag": (
        lambda t: ["compare", "a", "b", "--frobnicate"],
        "unrecognized arguments",
    ),
    "usage-bad-threshold-flag": (
        lambda t: _compare(t, good_model(t), None, "--threshold", "latency.p50"),
        "METRIC=THRESHOLD",
    ),
    "usage-bad-threshold-value": (
        lambda t: _compare(t, good_model(t), None, "--threshold", "latency.p50=+5parsecs"),
        "--threshold latency.p50",
    ),
    "usage-unknown-target": (
        lambda t: _compare(t, good_model(t), None, "--target", "tpu"),
        "no such target",
    ),
    "usage-no-command": (lambda t: [], "required"),
    "data-array-declares-more-than-it-holds": (
        lambda t: _npz_members(t, {"x.npy": _HUGE_NPY}),
        "declares shape [99999999999]",
    ),
    "data-member-not-an-array": (
        lambda t: _npz_members(t, {"x.npy": b"#!/bin/sh\nrm -rf /\n"}),
        "member 'x.npy' is not a numpy array",
    ),
    # waivers and extra benchmarks
    "waivers-file-missing": (
        lambda t: _compare(t, good_model(t), None, "--waivers", str(t / "nope.yml")),
        "waivers file not found",
    ),
    "waivers-bad-expiry": (_bad_waiver, "mlgate-waivers.yml[0]: expires"),
    "usage-bad-today": (
        lambda t: _compare(t, good_model(t), None, "--today", "next tuesday"),
        "is not a date (YYYY-MM-DD)",
    ),
    "pytest-benchmark-file-missing": (
        lambda t: _compare(t, good_model(t), None, "--pytest-benchmark", "b.json", "h.json"),
        "pytest-benchmark file not found: b.json",
    ),
    # hostile models (refused before the runtime or an allocation)
    "model-custom-op-domain": (_custom_domain, "custom op domain 'evil.ops' (Exfiltrate)"),
    "model-declared-input-over-memory-limit": (_huge_declared_input, "over limits.memory_mb"),
    "config-shape-over-memory-limit": (_configured_shape_over_limit, "over limits.memory_mb"),
    "config-bad-isolation-limit": (
        lambda t: _config(t, "limits: {timeout_seconds: 0}\n"),
        "limits.timeout_seconds",
    ),
    # the optimizer, history and the matrix
    "config-bad-optimize-drift": (
        lambda t: _config(t, "optimize: {drift: loudly}\n"),
        "optimize.drift",
    ),
    "optimize-unknown-target": (
        lambda t: ["optimize", str(good_model(t)), "--target", "tpu"],
        "--target tpu: not a configured target (targets: cpu)",
    ),
    "optimize-lfs-pointer": (
        lambda t: ["optimize", str(_lfs_pointer(t))],
        "Git LFS pointer",
    ),
    "history-no-results": (
        lambda t: ["history", "record", "--results", str(t)],
        "no run.json under",
    ),
    "report-no-results-folder": (
        lambda t: ["report", "--results", str(t / "nope"), "--release", "v1"],
        "results folder not found",
    ),
    "report-no-results-in-folder": (
        lambda t: _report_folder(t, {"bench.json": '{"benchmarks": []}'}),
        "no mlgate results in",
    ),
    "report-not-json": (
        lambda t: _report_folder(t, {"run.json": "{truncated"}),
        "run.json is not valid JSON",
    ),
    "report-invalid-results": (
        lambda t: _report_folder(t, {"run.json": '{"kind": "mlgate-run", "verdict": 3}'}),
        "run.json",
    ),
    "report-template-syntax": (
        lambda t: _report_template(t, "{% for %}"),
        "report template report.md.j2, line 1",
    ),
    "report-template-sandbox": (
        lambda t: _report_template(t, "{{ v.__class__.__mro__ }}"),
        "report template report.md.j2",
    ),
    "report-templates-misnamed": (
        lambda t: _report_template(t, "x", name="comment.md.j2"),
        "has neither report.html.j2 nor report.md.j2",
    ),
    "report-attach-without-token": (
        lambda t: [*_report_folder(t, {}), "--github-release", "v1"],
        "--github-release needs GITHUB_TOKEN and GITHUB_REPOSITORY",
    ),
    "plan-github-output-outside-a-workflow": (
        lambda t: ["plan", "--base", "HEAD", "--github-output"],
        "$GITHUB_OUTPUT is not set",
    ),
}


def _lfs_pointer(tmp: Path) -> Path:
    path = tmp / "pointer.onnx"
    path.write_bytes(b"version https://git-lfs.github.com/spec/v1\noid sha256:" + b"0" * 64 + b"\n")
    return path


def test_partial_results_keep_what_was_measured(tmp_path, capsys):
    """The head model is broken: the base model's facts are still in the results."""
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"version https://git-lfs.github.com/spec/v1\n")
    code = main(
        [
            "compare",
            str(good_model(tmp_path)),
            str(bad),
            "--json",
            str(tmp_path / "r.json"),
            "--comment",
            str(tmp_path / "c.md"),
        ]
    )
    capsys.readouterr()
    doc = json.loads((tmp_path / "r.json").read_text())
    assert code == 2
    assert doc["base"]["params"] == 64
    assert doc["head"] is None
    comment = (tmp_path / "c.md").read_text()
    assert "could not finish" in comment
    assert "Git LFS pointer" in comment


def test_internal_error_exits_3_keeps_partial_results_and_points_to_a_log(
    tmp_path, capsys, monkeypatch
):
    """The crash path, exercised by fault injection (the one place a test replaces our own
    code: no real input reaches it): exit 3, one line naming the log with the traceback,
    and the results measured before the bug are still written."""
    from mlgate.gate import judge

    def bug(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(judge, "evaluate_target", bug)
    model = good_model(tmp_path)
    in_process = tmp_path / "in-process.yml"
    in_process.write_text("limits: {isolate: false}\n")  # the patch lives in this process
    code = main(
        [
            "compare",
            str(model),
            str(model),
            "--config",
            str(in_process),
            "--no-memory",
            "--budget-seconds",
            "0.5",
            "--json",
            str(tmp_path / "r.json"),
        ]
    )
    _, err = capsys.readouterr()
    assert code == 3
    assert err.count("\n") == 1
    assert "internal error: RuntimeError: simulated bug" in err
    log = Path(err.split("traceback in ", 1)[1].rstrip(")\n"))
    assert "Traceback" in log.read_text()
    doc = json.loads((tmp_path / "r.json").read_text())
    assert doc["verdict"] == "error"
    assert doc["base"]["params"] == 64
    assert doc["errors"][0].startswith("internal error: RuntimeError")
