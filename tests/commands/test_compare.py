"""`mlgate compare` end to end on real models, through the CLI entry point in-process."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest

from mlgate.cli import main
from tests import model_builders as mb
from tests.same_model import assert_no_regression_found


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


FAST_LATENCY = (
    "latency: {budget_seconds: 3, min_seconds: 0.2, warmup_seconds: 0.05, "
    "segment_seconds: 0.1, min_segments: 4}\n"
)
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "src/mlgate/schemas/results.schema.json").read_text()
)


def results(path: Path) -> dict:
    """The results document, validated against the published JSON Schema."""
    import jsonschema

    document = json.loads(path.read_text())
    if "schema_version" in document:
        jsonschema.validate(document, SCHEMA)
    return document


def metric(doc: dict, name: str, target: int = 0) -> dict:
    return next(m for m in doc["targets"][target]["metrics"] if m["name"] == name)


def _cnn_data(path: Path) -> Path:
    rng = np.random.default_rng(1)
    images = rng.standard_normal((12, 3, 16, 16)).astype(np.float32)
    np.savez(path, image=images, labels=rng.integers(0, 10, 12))
    return path


def _lstm_data(path: Path) -> Path:
    rng = np.random.default_rng(2)
    np.savez(
        path,
        x=rng.standard_normal((5, 6, 4)).astype(np.float32),
        h0=np.zeros((1, 6, 8), np.float32),
        flag=np.array(True),
    )
    return path


def _transformer_data(path: Path) -> Path:
    rng = np.random.default_rng(3)
    ids = rng.integers(0, 50, (8, 12)).astype(np.int64)
    mask = np.ones((8, 12), np.int64)
    mask[:, 10:] = 0
    np.savez(path, input_ids=ids, attention_mask=mask, labels=rng.integers(0, 3, 8))
    return path


def _quantized(tmp_path: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    source = mb.save(mb.matmul_chain(layers=3, width=64), tmp_path / "fp32.onnx")
    target = tmp_path / "int8.onnx"
    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8)
    return target


def _quantized_data(path: Path) -> Path:
    rng = np.random.default_rng(4)
    np.savez(path, x=rng.standard_normal((16, 64)).astype(np.float32))
    return path


def _logreg_iris_data(path: Path) -> Path:
    """Three iris flowers (sepal length and width), labelled: the model's fixed batch of 3."""
    np.savez(
        path,
        float_input=np.array([[5.1, 3.5], [6.4, 3.2], [6.3, 3.3]], np.float32),
        labels=np.array([0, 1, 2], np.int64),
    )
    return path


def _sigmoid_data(path: Path) -> Path:
    np.savez(path, x=np.random.default_rng(5).standard_normal((3, 4, 5)).astype(np.float32))
    return path


def _loop_data(path: Path) -> Path:
    rng = np.random.default_rng(6)
    np.savez(path, x=rng.standard_normal((4, 8)).astype(np.float32), trip=np.array(3, np.int64))
    return path


def _ort_dataset(name: str) -> Path:
    return Path(onnxruntime.__file__).parent / "datasets" / name


KINDS = {
    "cnn-dynamic-spatial": (lambda t: mb.save(mb.cnn(), t / "cnn.onnx"), _cnn_data),
    "lstm-if-wrong-shapes": (lambda t: mb.save(mb.lstm_with_if(), t / "lstm.onnx"), _lstm_data),
    "transformer-int64-multi-io": (
        lambda t: mb.save(mb.transformer_block(), t / "tf.onnx"),
        _transformer_data,
    ),
    "quantized-int8": (_quantized, _quantized_data),
    "loop-subgraph-scalar-int64": (
        lambda t: mb.save(mb.loop_accumulate(), t / "loop.onnx"),
        _loop_data,
    ),
    "ort-dataset-logreg-zipmap": (lambda t: _ort_dataset("logreg_iris.onnx"), _logreg_iris_data),
    "ort-dataset-sigmoid": (lambda t: _ort_dataset("sigmoid.onnx"), _sigmoid_data),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("with_data", [False, True], ids=["synthetic", "eval-data"])
def test_same_model_twice_passes(kind, with_data, tmp_path, fast_config, capsys):
    build, data_builder = KINDS[kind]
    model = build(tmp_path)
    args = ["compare", str(model), str(model), "--config", str(fast_config), "--no-memory"]
    if with_data:
        args += ["--data", str(data_builder(tmp_path / "eval.npz"))]
    code, _, err = run(capsys, *args, "--json", str(tmp_path / "r.json"))
    doc = results(tmp_path / "r.json")
    assert (code, err) == (0, ""), doc
    assert_no_regression_found(doc)
    p50 = metric(doc, "latency.p50")
    assert p50["verdict"] in ("pass", "inconclusive")
    assert p50["ci"][0] <= 0.05
    assert doc["head"]["sha256"] == doc["base"]["sha256"]
    if with_data:
        assert metric(doc, "fidelity.max_abs_diff")["head"] == 0.0


@pytest.fixture(scope="module")
def sklearn_models(tmp_path_factory):
    return mb.sklearn_models(tmp_path_factory.mktemp("sk"))


@pytest.mark.parametrize(
    ("kind", "metric_name"),
    [
        ("sklearn-logreg-zipmap", "top1"),
        ("sklearn-forest", "top1"),
        ("sklearn-svm", "topk:2"),
        ("sklearn-gbr", "mse"),
    ],
)
def test_sklearn_models_same_model_passes(kind, metric_name, sklearn_models, tmp_path, capsys):
    model, data = sklearn_models[kind]
    output = "probabilities" if metric_name.startswith("topk") else None
    config = tmp_path / "c.yml"
    config.write_text(
        FAST_LATENCY
        + f"models:\n  - path: '**/*.onnx'\n    eval: {{metric: '{metric_name}', batch_size: 16"
        + (f", output: {output}" if output else "")
        + "}\n"
    )
    code, _, err = run(
        capsys,
        "compare",
        str(model),
        str(model),
        "--data",
        str(data),
        "--config",
        str(config),
        "--no-memory",
        "--json",
        str(tmp_path / "r.json"),
    )
    doc = results(tmp_path / "r.json")
    assert (code, err) == (0, "")
    assert_no_regression_found(doc)
    accuracy = metric(doc, "accuracy")
    assert accuracy["base"] == accuracy["head"]
    if metric_name == "mse":
        assert accuracy["higher_is_better"] is False
        assert accuracy["base"] > 0
    else:
        assert accuracy["base"] > 0.8  # a real classifier on its own training data
    assert doc["eval"]["examples"] == np.load(data)["labels"].shape[0]


def test_accuracy_regression_exits_1_and_comment_names_it(tmp_path, capsys):
    from importlib import resources

    demo = resources.files("mlgate.demo")
    config = tmp_path / "c.yml"
    config.write_text(
        FAST_LATENCY
        + "models:\n  - path: '**/*.onnx'\n    eval: {output: probabilities, batch_size: 32}\n"
        "thresholds: {latency.p50: off, latency.p90: off, size: off}\n"
    )
    code, out, err = run(
        capsys,
        "compare",
        str(demo / "base.onnx"),
        str(demo / "head.onnx"),
        "--data",
        str(demo / "eval.npz"),
        "--config",
        str(config),
        "--no-memory",
        "--comment",
        str(tmp_path / "c.md"),
        "--json",
        str(tmp_path / "r.json"),
    )
    assert (code, err) == (1, "")
    doc = results(tmp_path / "r.json")
    accuracy = metric(doc, "accuracy")
    assert accuracy["verdict"] == "fail"
    assert accuracy["delta"] < -0.05
    comment = (tmp_path / "c.md").read_text()
    assert comment.startswith("<!-- mlgate:comment v1 -->")
    assert "regression in" in comment.splitlines()[1]
    assert "fails on accuracy" in comment
    assert "FAIL" in out


def test_thirty_percent_slower_model_exits_1_on_latency(tmp_path, fast_config, capsys):
    base = mb.save(mb.matmul_chain(layers=10, width=256), tmp_path / "base.onnx")
    head = mb.save(mb.matmul_chain(layers=13, width=256), tmp_path / "head.onnx")
    code, _, err = run(
        capsys,
        "compare",
        str(base),
        str(head),
        "--config",
        str(fast_config),
        "--no-memory",
        "--comment",
        str(tmp_path / "c.md"),
        "--json",
        str(tmp_path / "r.json"),
    )
    doc = results(tmp_path / "r.json")
    p50 = metric(doc, "latency.p50")
    assert (code, err, p50["verdict"]) == (1, "", "fail"), p50
    assert 0.15 < p50["change"] < 0.45
    assert "latency p50" in (tmp_path / "c.md").read_text().split("###")[0]


def test_memory_is_measured_in_child_processes(tmp_path, fast_config, capsys):
    small = mb.save(mb.matmul_chain(layers=2, width=64), tmp_path / "small.onnx")
    large = mb.save(mb.matmul_chain(layers=8, width=1024), tmp_path / "large.onnx")
    code, _, _ = run(
        capsys,
        "compare",
        str(small),
        str(large),
        "--config",
        str(fast_config),
        "--threshold",
        "latency.p50=off",
        "--threshold",
        "latency.p90=off",
        "--threshold",
        "size=off",
        "--json",
        str(tmp_path / "r.json"),
    )
    doc = results(tmp_path / "r.json")
    peak = metric(doc, "memory.peak")
    # 8 x 1024 x 1024 float32 weights = 32 MiB that the session must hold
    assert peak["head"] - peak["base"] > 24 * 1024 * 1024
    assert peak["verdict"] == "fail"
    assert code == 1
    assert metric(doc, "memory.session")["head"] <= peak["head"]


def test_external_data_model_is_loaded_from_its_folder(tmp_path, fast_config, capsys):
    path = mb.with_external_data(mb.matmul_chain(layers=2, width=64), tmp_path / "ext")
    code, _, err = run(
        capsys,
        "compare",
        str(path),
        str(path),
        "--config",
        str(fast_config),
        "--no-memory",
        "--json",
        str(tmp_path / "r.json"),
    )
    doc = results(tmp_path / "r.json")
    assert (code, err) == (0, "")
    assert doc["head"]["size_bytes"] > 2 * 64 * 64 * 4
    assert metric(doc, "params")["head"] == 2 * 64 * 64


def test_base_read_from_git_revision(tmp_path, fast_config, capsys):
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "t@example.com")
    git("config", "user.name", "t")
    model = repo / "models" / "net.onnx"
    mb.save(mb.matmul_chain(layers=2, width=64, seed=1), model)
    git("add", ".")
    git("commit", "-qm", "base")
    mb.save(mb.matmul_chain(layers=2, width=64, seed=2), model)
    import os

    os.chdir(repo)
    code, _, err = run(
        capsys,
        "compare",
        "main:models/net.onnx",
        "models/net.onnx",
        "--config",
        str(fast_config),
        "--no-memory",
        "--json",
        str(tmp_path / "r.json"),
    )
    doc = results(tmp_path / "r.json")
    assert err == ""
    assert code in (0, 1)
    assert doc["base"]["path"] == "main:models/net.onnx"
    assert doc["base"]["sha256"] != doc["head"]["sha256"]
    assert "mlgate compare main:models/net.onnx models/net.onnx" in doc["reproduce"]


def test_demo_model_onnx_checker_clean():
    from importlib import resources

    for name in ("base.onnx", "head.onnx"):
        with resources.as_file(resources.files("mlgate.demo") / name) as path:
            onnx.checker.check_model(str(path))


def test_missing_execution_provider_is_a_clear_error_or_a_skip(tmp_path, capsys):
    model = mb.save(mb.matmul_chain(layers=1, width=8), tmp_path / "m.onnx")
    config = tmp_path / "c.yml"
    config.write_text("targets: [{name: gpu, providers: [NoSuchExecutionProvider]}]\n")
    code, _, err = run(capsys, "compare", str(model), str(model), "--config", str(config))
    assert code == 2
    assert "target 'gpu' needs NoSuchExecutionProvider" in err
    assert "CPUExecutionProvider" in err  # names what is installed
    config.write_text(
        FAST_LATENCY + "targets:\n  - {name: cpu}\n"
        "  - {name: gpu, providers: [NoSuchExecutionProvider], allow_missing: true}\n"
    )
    code, _, err = run(
        capsys,
        "compare",
        str(model),
        str(model),
        "--config",
        str(config),
        "--no-memory",
        "--json",
        str(tmp_path / "r.json"),
        "--comment",
        str(tmp_path / "c.md"),
    )
    doc = results(tmp_path / "r.json")
    assert (code, err) == (0, "")
    assert [t["verdict"] for t in doc["targets"]] == ["pass", "skipped"]
    assert "allow_missing" in doc["targets"][1]["notes"][0]
    assert "### ➖ gpu" in (tmp_path / "c.md").read_text()


@pytest.mark.gpu
def test_cuda_target_compares_on_the_gpu(tmp_path, capsys):
    model = mb.save(mb.matmul_chain(layers=4, width=512), tmp_path / "m.onnx")
    config = tmp_path / "c.yml"
    config.write_text(
        "latency: {budget_seconds: 5, min_seconds: 0.5, warmup_seconds: 0.2}\n"
        "targets: [{name: gpu, providers: [CUDAExecutionProvider, CPUExecutionProvider]}]\n"
    )
    code, _, err = run(
        capsys,
        "compare",
        str(model),
        str(model),
        "--config",
        str(config),
        "--json",
        str(tmp_path / "r.json"),
    )
    doc = results(tmp_path / "r.json")
    assert (code, err, doc["verdict"]) == (0, "", "pass")
    assert doc["targets"][0]["providers"][0] == "CUDAExecutionProvider"


def test_calibrate_suggests_thresholds(tmp_path, capsys):
    model = mb.save(mb.matmul_chain(layers=2, width=128), tmp_path / "m.onnx")
    code, out, err = run(
        capsys,
        "calibrate",
        str(model),
        "--trials",
        "3",
        "--seconds",
        "0.3",
        "--json",
        str(tmp_path / "cal.json"),
    )
    assert (code, err) == (0, "")
    assert "A/A calibration of" in out
    assert 'latency.p50: "+' in out
    doc = results(tmp_path / "cal.json")
    assert doc["calibration"]["trials"] == 3
    suggested = doc["suggested_thresholds"]["latency.p50"]
    assert suggested.startswith("+")
    assert suggested.endswith("%")
    assert float(suggested[1:-1]) >= 0.5


def test_calibrate_rejects_bad_options(tmp_path, capsys):
    code, _, err = run(capsys, "calibrate", "--trials", "1")
    assert code == 2
    assert "--trials must be at least 2" in err
    code, _, err = run(capsys, "calibrate", "--false-alarm-rate", "0.7")
    assert code == 2
    assert "--false-alarm-rate must be between 0 and 0.5" in err
    code, _, err = run(capsys, "calibrate", "--target", "tpu")
    assert code == 2
    assert "--target tpu: no such target" in err
    assert err.count("\n") == 1
