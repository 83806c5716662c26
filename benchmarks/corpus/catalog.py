"""The cases of the verdict corpus (see cases.py for what each field means)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import onnx
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from benchmarks.corpus import edits, sources
from benchmarks.corpus.cases import (
    Case,
    edited_case,
    shipped_case,
    tabular_case,
    tabular_int8_case,
)


def det_branch(model: onnx.ModelProto) -> onnx.ModelProto:
    """A 3x3 conv (32 -> 32 channels) on the detector's stride-2 feature map, times zero
    (+41% MACs at 320x320)."""
    tensor, channels = edits.conv_output(model, 2)
    return edits.add_zero_branch(model, tensor, edits.conv_weights(channels, 3, 1, 0), "Conv")


def rec_branch(model: onnx.ModelProto) -> onnx.ModelProto:
    """Four 3x3 convs (32 -> 32 channels) on the recognizer's first feature map, times zero
    (+22% MACs at 4 lines of 48x320; one conv was +5%, lost in the timing noise)."""
    tensor, channels = edits.conv_output(model, 2)
    return edits.add_zero_branch(model, tensor, edits.conv_weights(channels, 3, 4, 1), "Conv")


def minilm_branch(model: onnx.ModelProto) -> onnx.ModelProto:
    """A second feed-forward block (384 -> 1536 -> 384) after layer 1, times zero (+22%
    MACs at 8 x 64 tokens)."""
    tensor = edits.first_output_of(model, "LayerNormalization", 1)
    return edits.add_zero_branch(model, tensor, edits.matmul_weights(384, 1536, 2), "MatMul")


Edit = Callable[[Path, Path], None]


def _static(calibration: str, qdq: bool = True) -> Edit:
    def head(base: Path, target: Path) -> None:
        feeds = {
            "rec": lambda seed: {"x": sources.text_lines(4, 320, seed)},
            "cls": lambda seed: {"x": sources.oriented_lines(8, seed)[0]},
            "det": lambda seed: {"x": sources.page(320, 320, seed)},
        }[calibration]
        edits.static_int8(base, target, [feeds(seed) for seed in range(1, 4)], qdq=qdq)

    return head


def _logreg() -> Pipeline:
    return make_pipeline(StandardScaler(), LogisticRegression())


def _mlp() -> MLPClassifier:
    return MLPClassifier((64,), max_iter=300, random_state=0)


def _resave(base: Path, head: Path) -> None:
    onnx.save(onnx.load(base), head)


def _external(base: Path, head: Path) -> None:
    edits.save_external(onnx.load(base), head)


def _opset(version: int) -> Edit:
    def head(base: Path, target: Path) -> None:
        onnx.save(edits.convert_opset(onnx.load(base), version), target)

    return head


def _passes(base: Path, head: Path) -> None:
    onnx.save(edits.neutral_passes(onnx.load(base)), head)


CASES = [
    Case(
        "rec-int8-dynamic",
        "int8",
        "fail",
        "PP-OCRv4 rec, quantize_dynamic (ConvInteger): slower, text garbled; no labels",
        shipped_case("rec", "rec", edits.dynamic_int8),
    ),
    Case(
        "rec-int8-static-labelled",
        "int8",
        "fail",
        "PP-OCRv4 rec, quantize_static QDQ: faster but per-timestep classes wrong; labels",
        shipped_case("rec", "rec-labelled", _static("rec")),
    ),
    Case(
        "cls-int8-static-labelled",
        "int8",
        "fail",
        "PP-OCR cls, quantize_static QDQ: same accuracy, slower; labels",
        shipped_case("cls", "cls", _static("cls")),
    ),
    Case(
        "det-int8-static-qop",
        "int8",
        "fail",
        "PP-OCRv4 det, quantize_static QOperator: faster, outputs moved (cos 0.95); no labels, "
        "so agreement with the base is what can be judged",
        shipped_case("det", "det", _static("det", qdq=False)),
    ),
    Case(
        "minilm-int8-dynamic",
        "int8",
        "fail",
        "MiniLM-L3, quantize_dynamic: faster, embeddings moved (cos 0.976); no labels",
        shipped_case("minilm", "minilm", edits.dynamic_int8),
    ),
    Case(
        "digits-mlp-int8-labelled",
        "int8",
        "fail",
        "digits MLP, quantize_dynamic: same accuracy, but ~17% slower per call at one example "
        "(activation quantization costs more than it saves on a 64-wide input; measured x1.17 "
        "on AMD EPYC); labels, 600 examples",
        tabular_int8_case("digits", 600, _mlp()),
    ),
    Case(
        "det-zero-conv-branch",
        "slowdown",
        "fail",
        "PP-OCRv4 det + a 3x3 conv branch times zero: same outputs, slower",
        edited_case("det", "det", det_branch, swap=False),
    ),
    Case(
        "rec-zero-conv-branch",
        "slowdown",
        "fail",
        "PP-OCRv4 rec + a 3x3 conv branch times zero: same outputs, slower",
        edited_case("rec", "rec", rec_branch, swap=False),
    ),
    Case(
        "minilm-zero-ffn-branch",
        "slowdown",
        "fail",
        "MiniLM-L3 + a second FFN times zero: same outputs, slower",
        edited_case("minilm", "minilm", minilm_branch, swap=False),
    ),
    Case(
        "digits-mlp-less-data",
        "accuracy",
        "fail",
        "digits MLP trained on 300 of 1197 examples; 600 labelled",
        tabular_case("digits", 600, _mlp(), _mlp(), (300, 0)),
    ),
    Case(
        "digits-rf-fewer-trees",
        "accuracy",
        "fail",
        "digits random forest 200 -> 20 trees: faster, less accurate; 797 labelled",
        tabular_case(
            "digits",
            797,
            RandomForestClassifier(200, random_state=0),
            RandomForestClassifier(20, random_state=0),
        ),
    ),
    Case(
        "breast-cancer-logreg-less-data",
        "accuracy",
        "fail",
        "breast_cancer logistic regression on 40 of 369 examples; 200 labelled",
        tabular_case("breast_cancer", 200, _logreg(), _logreg(), (40, 0)),
    ),
    Case(
        "wine-logreg-small-eval",
        "accuracy",
        "not-pass",
        "wine logistic regression on 10 of 138 examples; 40 labelled",
        tabular_case("wine", 40, _logreg(), _logreg(), (10, 3)),
    ),
    Case(
        "cls-opset-13",
        "re-export",
        "pass",
        "PP-OCR cls converted from opset 11 to 13",
        shipped_case("cls", "cls", _opset(13)),
    ),
    Case(
        "rec-onnxoptimizer",
        "re-export",
        "pass",
        "PP-OCRv4 rec through onnxoptimizer's structural passes",
        shipped_case("rec", "rec", _passes),
    ),
    Case(
        "minilm-external-data",
        "re-export",
        "pass",
        "MiniLM-L3 re-saved with its weights in external data",
        shipped_case("minilm", "minilm", _external),
    ),
    Case(
        "det-aa-copy",
        "a/a",
        "pass",
        "PP-OCRv4 det, the same bytes under another name",
        shipped_case("det", "det", edits.copy),
    ),
    Case(
        "rec-aa-copy",
        "a/a",
        "pass",
        "PP-OCRv4 rec, the same bytes under another name",
        shipped_case("rec", "rec", edits.copy),
    ),
    Case(
        "minilm-aa-reserialized",
        "a/a",
        "pass",
        "MiniLM-L3 loaded and saved again with onnx",
        shipped_case("minilm", "minilm", _resave),
    ),
    Case(
        "vad-aa-reserialized",
        "a/a",
        "pass",
        "Silero VAD loaded and saved again with onnx",
        shipped_case("vad", "vad", _resave),
    ),
    Case(
        "minilm-ort-basic",
        "improvement",
        "not-fail",
        "MiniLM-L3 saved by onnxruntime at the basic optimization level",
        shipped_case("minilm", "minilm", edits.ort_offline),
    ),
    Case(
        "det-branch-removed",
        "improvement",
        "not-fail",
        "PP-OCRv4 det with a zero-weight conv branch (base) -> without it (head)",
        edited_case("det", "det", det_branch, swap=True),
    ),
    Case(
        "breast-cancer-rf-to-logreg",
        "improvement",
        "not-fail",
        "breast_cancer random forest (200 trees) -> logistic regression: smaller, faster",
        tabular_case("breast_cancer", 200, RandomForestClassifier(200, random_state=0), _logreg()),
    ),
]
