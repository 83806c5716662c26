"""Real models from public packages, end to end: Silero VAD (an LSTM inside If subgraphs,
scalar int64 input, state tensors) and PaddleOCR v4 models shipped by rapidocr (CNNs with
dynamic shapes). `make test` installs the packages (without their dependencies) from
requirements/models.lock; only the .onnx files inside them are used."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import numpy as np
import pytest

from mlgate.cli import main
from tests.commands.test_compare import FAST_LATENCY, metric, results
from tests.same_model import assert_no_regression_found

pytestmark = pytest.mark.slow


def shipped(package: str, path: str) -> Path:
    try:
        found = Path(str(distribution(package).locate_file(path)))
    except PackageNotFoundError:
        pytest.skip(f"{package} is not installed (make test installs requirements/models.lock)")
    assert found.is_file(), found
    return found


@pytest.fixture
def fast(tmp_path: Path) -> Path:
    path = tmp_path / "fast.yml"
    path.write_text(
        FAST_LATENCY + "models:\n  - path: '**/*rec_infer.onnx'\n    inputs: {x: [1, 3, 48, 320]}\n"
    )
    return path


def test_silero_vad_lstm_with_if_subgraphs(tmp_path, fast, capsys):
    model = shipped("silero-vad", "silero_vad/data/silero_vad.onnx")
    rng = np.random.default_rng(0)
    np.savez(
        tmp_path / "audio.npz",
        input=(0.1 * rng.standard_normal((1, 512))).astype(np.float32),
        state=np.zeros((2, 1, 128), np.float32),
        sr=np.array(16000, np.int64),
    )
    code = main(
        [
            "compare",
            str(model),
            str(model),
            "--data",
            str(tmp_path / "audio.npz"),
            "--config",
            str(fast),
            "--json",
            str(tmp_path / "r.json"),
        ]
    )
    _, err = capsys.readouterr()
    doc = results(tmp_path / "r.json")
    assert (code, err) == (0, "")
    assert_no_regression_found(doc)
    assert metric(doc, "fidelity.max_abs_diff")["head"] == 0.0
    assert metric(doc, "memory.peak")["verdict"] == "pass"
    assert doc["head"]["opsets"] == {"ai.onnx": 16}


@pytest.mark.parametrize(
    "name", ["ch_PP-OCRv4_det_infer", "ch_ppocr_mobile_v2.0_cls_infer", "ch_PP-OCRv4_rec_infer"]
)
def test_paddleocr_cnns_with_dynamic_shapes(name, tmp_path, fast, capsys):
    model = shipped("rapidocr-onnxruntime", f"rapidocr_onnxruntime/models/{name}.onnx")
    code = main(
        [
            "compare",
            str(model),
            str(model),
            "--config",
            str(fast),
            "--no-memory",
            "--json",
            str(tmp_path / "r.json"),
        ]
    )
    _, err = capsys.readouterr()
    doc = results(tmp_path / "r.json")
    assert (code, err) == (0, "")
    assert_no_regression_found(doc)
    shapes = doc["targets"][0]["latency"]["input_shapes"]["x"]
    assert shapes == ([1, 3, 48, 320] if "rec" in name else [1, 3, 224, 224])
    assert doc["head"]["params"] > 100_000


def test_guessed_shapes_that_a_real_model_rejects_say_how_to_fix_it(capsys):
    model = shipped(
        "rapidocr-onnxruntime", "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx"
    )
    code = main(["compare", str(model), str(model), "--no-memory"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1
    assert "set concrete shapes under `inputs:`" in err
