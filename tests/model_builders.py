"""Tiny real ONNX models built with onnx.helper, one per kind the gate must handle, and
scikit-learn models converted with skl2onnx. Deterministic: fixed seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IR = 10  # onnx 1.23 writes IR 14 by default; onnxruntime 1.31 reads at most 13
OPSET = 17


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def _init(name: str, array: np.ndarray) -> onnx.TensorProto:
    return numpy_helper.from_array(array, name)


def finish(
    graph: onnx.GraphProto, opsets: dict[str, int] | None = None, ir: int = IR
) -> onnx.ModelProto:
    imports = [helper.make_opsetid(d, v) for d, v in (opsets or {"": OPSET}).items()]
    model = helper.make_model(graph, opset_imports=imports, producer_name="mlgate-tests")
    model.ir_version = ir
    return model


def save(model: onnx.ModelProto, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(model.SerializeToString())
    return path


def matmul_chain(
    layers: int = 4, width: int = 128, seed: int = 0, batch: int | str = "N"
) -> onnx.ModelProto:
    """x[N, width] -> `layers` x (MatMul + Relu) -> y; more layers = really more compute."""
    rng = _rng(seed)
    nodes, inits, current = [], [], "x"
    for i in range(layers):
        weight = (rng.standard_normal((width, width)) / np.sqrt(width)).astype(np.float32)
        inits.append(_init(f"w{i}", weight))
        nodes.append(helper.make_node("MatMul", [current, f"w{i}"], [f"m{i}"]))
        out = "y" if i == layers - 1 else f"r{i}"
        nodes.append(helper.make_node("Relu", [f"m{i}"], [out]))
        current = out
    graph = helper.make_graph(
        nodes,
        "chain",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [batch, width])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [batch, width])],
        inits,
    )
    return finish(graph)


def cnn(seed: int = 0, classes: int = 10) -> onnx.ModelProto:
    """Conv -> Relu -> MaxPool -> Conv -> Relu -> GlobalAveragePool -> Flatten -> Gemm,
    dynamic batch and spatial dims."""
    rng = _rng(seed)
    w1 = (rng.standard_normal((8, 3, 3, 3)) * 0.2).astype(np.float32)
    w2 = (rng.standard_normal((16, 8, 3, 3)) * 0.2).astype(np.float32)
    fc = (rng.standard_normal((16, classes)) * 0.2).astype(np.float32)
    bias = np.zeros(classes, np.float32)
    nodes = [
        helper.make_node("Conv", ["image", "w1"], ["c1"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Conv", ["p1", "w2"], ["c2"], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c2"], ["r2"]),
        helper.make_node("GlobalAveragePool", ["r2"], ["g"]),
        helper.make_node("Flatten", ["g"], ["f"]),
        helper.make_node("Gemm", ["f", "fc", "bias"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes,
        "cnn",
        [
            helper.make_tensor_value_info(
                "image", TensorProto.FLOAT, ["batch", 3, "height", "width"]
            )
        ],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", classes])],
        [_init("w1", w1), _init("w2", w2), _init("fc", fc), _init("bias", bias)],
    )
    return finish(graph)


def lstm_with_if(seed: int = 0, hidden: int = 8, features: int = 4) -> onnx.ModelProto:
    """LSTM over x[seq, batch, features] with an initial state input, then an If on a bool
    input that picks the last hidden state or its negation. Declares a wrong output shape."""
    rng = _rng(seed)
    w = (rng.standard_normal((1, 4 * hidden, features)) * 0.3).astype(np.float32)
    r = (rng.standard_normal((1, 4 * hidden, hidden)) * 0.3).astype(np.float32)
    then_graph = helper.make_graph(
        [helper.make_node("Identity", ["y_h"], ["then_out"])],
        "then",
        [],
        [helper.make_tensor_value_info("then_out", TensorProto.FLOAT, None)],
    )
    else_graph = helper.make_graph(
        [helper.make_node("Neg", ["y_h"], ["else_out"])],
        "else",
        [],
        [helper.make_tensor_value_info("else_out", TensorProto.FLOAT, None)],
    )
    nodes = [
        helper.make_node("LSTM", ["x", "W", "R", "", "", "h0"], ["y", "y_h"], hidden_size=hidden),
        helper.make_node("If", ["flag"], ["state"], then_branch=then_graph, else_branch=else_graph),
    ]
    graph = helper.make_graph(
        nodes,
        "lstm_if",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["seq", "batch", features]),
            helper.make_tensor_value_info("h0", TensorProto.FLOAT, [1, "batch", hidden]),
            helper.make_tensor_value_info("flag", TensorProto.BOOL, []),
        ],
        [
            helper.make_tensor_value_info("state", TensorProto.FLOAT, [7, 7]),  # wrong on purpose
            helper.make_tensor_value_info("y", TensorProto.FLOAT, ["seq", 1, "batch", hidden]),
        ],
        [_init("W", w), _init("R", r)],
    )
    return finish(graph)


def transformer_block(
    seed: int = 0, vocab: int = 50, dim: int = 16, classes: int = 3
) -> onnx.ModelProto:
    """Token embedding (int64 ids, Gather) + one self-attention head + LayerNormalization +
    mean-pool classifier; dynamic [batch, seq]; two inputs (ids, mask) and two outputs."""
    rng = _rng(seed)

    def weight(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(np.float32)

    inits = [
        _init("emb", weight(vocab, dim)),
        _init("wq", weight(dim, dim)),
        _init("wk", weight(dim, dim)),
        _init("wv", weight(dim, dim)),
        _init("scale", np.array(1 / np.sqrt(dim), np.float32)),
        _init("gamma", np.ones(dim, np.float32)),
        _init("beta", np.zeros(dim, np.float32)),
        _init("head", weight(dim, classes)),
        _init("perm_axes", np.array([1], np.int64)),
        _init("one", np.array(1.0, np.float32)),
        _init("neg", np.array(-1e4, np.float32)),
    ]
    nodes = [
        helper.make_node("Gather", ["emb", "input_ids"], ["h"]),
        helper.make_node("MatMul", ["h", "wq"], ["q"]),
        helper.make_node("MatMul", ["h", "wk"], ["k"]),
        helper.make_node("MatMul", ["h", "wv"], ["v"]),
        helper.make_node("Transpose", ["k"], ["kt"], perm=[0, 2, 1]),
        helper.make_node("MatMul", ["q", "kt"], ["s0"]),
        helper.make_node("Mul", ["s0", "scale"], ["s1"]),
        helper.make_node("Cast", ["attention_mask"], ["mf"], to=TensorProto.FLOAT),
        helper.make_node("Sub", ["one", "mf"], ["inv"]),
        helper.make_node("Mul", ["inv", "neg"], ["bias0"]),
        helper.make_node("Unsqueeze", ["bias0", "perm_axes"], ["bias"]),
        helper.make_node("Add", ["s1", "bias"], ["s2"]),
        helper.make_node("Softmax", ["s2"], ["a"], axis=-1),
        helper.make_node("MatMul", ["a", "v"], ["ctx"]),
        helper.make_node("Add", ["ctx", "h"], ["res"]),
        helper.make_node("LayerNormalization", ["res", "gamma", "beta"], ["hidden"], axis=-1),
        helper.make_node("ReduceMean", ["hidden", "perm_axes"], ["pooled"], keepdims=0),
        helper.make_node("MatMul", ["pooled", "head"], ["logits"]),
    ]
    graph = helper.make_graph(
        nodes,
        "transformer",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info(
                "attention_mask", TensorProto.INT64, ["batch", "sequence"]
            ),
        ],
        [
            helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", classes]),
            helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "sequence", dim]),
        ],
        inits,
    )
    return finish(graph, {"": 18})


def nan_model() -> onnx.ModelProto:
    """y = log(x) - log(x): NaN for every negative input, 0 otherwise."""
    nodes = [
        helper.make_node("Log", ["x"], ["l"]),
        helper.make_node("Sub", ["l", "l"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "nan",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 4])],
    )
    return finish(graph)


def with_external_data(model: onnx.ModelProto, folder: Path, name: str = "model.onnx") -> Path:
    """Save `model` with its initializers in `weights.bin` beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    onnx.save_model(
        model,
        str(folder / name),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="weights.bin",
        size_threshold=0,
    )
    return folder / name


def set_external_location(path: Path, location: str) -> None:
    """Point every external tensor of the saved model at `location` (for hostile cases)."""
    model = onnx.load_model(str(path), load_external_data=False)
    for tensor in model.graph.initializer:
        for entry in tensor.external_data:
            if entry.key == "location":
                entry.value = location
    path.write_bytes(model.SerializeToString())


# ---- scikit-learn via skl2onnx ---------------------------------------------------------------


def sklearn_models(folder: Path) -> dict[str, tuple[Path, Path]]:
    """{kind: (model path, eval npz)} for ai.onnx.ml models on bundled datasets."""
    from skl2onnx import to_onnx
    from sklearn.datasets import load_diabetes, load_iris
    from sklearn.ensemble import GradientBoostingRegressor, RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    folder.mkdir(parents=True, exist_ok=True)
    iris = load_iris()
    x = iris.data.astype(np.float32)
    y = iris.target.astype(np.int64)
    diabetes = load_diabetes()
    xd = diabetes.data.astype(np.float32)
    yd = diabetes.target.astype(np.float32)
    made = {}
    specs = {
        "sklearn-logreg-zipmap": (
            make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)),
            x,
            y,
            {},
        ),
        "sklearn-forest": (
            RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0),
            x,
            y,
            {"zipmap": False},
        ),
        "sklearn-svm": (SVC(random_state=0), x, y, {"zipmap": False}),
        "sklearn-gbr": (GradientBoostingRegressor(n_estimators=20, random_state=0), xd, yd, None),
    }
    for kind, (estimator, features, target, options) in specs.items():
        estimator.fit(features, target)
        kwargs = {"options": options} if options else {}
        onx = to_onnx(estimator, features[:1], target_opset={"": 15, "ai.onnx.ml": 3}, **kwargs)
        onx.ir_version = IR
        path = save(onx, folder / f"{kind}.onnx")
        data = folder / f"{kind}.npz"
        np.savez(data, X=features, labels=target)
        made[kind] = (path, data)
    return made


def loop_accumulate(width: int = 8) -> onnx.ModelProto:
    """A Loop that adds `x @ W` to an accumulator `trip` times (trip count is an int64 input)."""
    rng = _rng(5)
    weight = (rng.standard_normal((width, width)) * 0.1).astype(np.float32)
    body = helper.make_graph(
        [
            helper.make_node("Identity", ["cond_in"], ["cond_out"]),
            helper.make_node("MatMul", ["x", "W"], ["xw"]),
            helper.make_node("Add", ["acc_in", "xw"], ["acc_out"]),
        ],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("acc_in", TensorProto.FLOAT, None),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("acc_out", TensorProto.FLOAT, None),
        ],
    )
    nodes = [
        helper.make_node(
            "Constant", [], ["cond"], value=helper.make_tensor("c", TensorProto.BOOL, [], [True])
        ),
        helper.make_node("Mul", ["x", "zero"], ["acc0"]),
        helper.make_node("Loop", ["trip", "cond", "acc0"], ["acc"], body=body),
    ]
    graph = helper.make_graph(
        nodes,
        "loop",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", width]),
            helper.make_tensor_value_info("trip", TensorProto.INT64, []),
        ],
        [helper.make_tensor_value_info("acc", TensorProto.FLOAT, ["batch", width])],
        [_init("W", weight), _init("zero", np.array(0.0, np.float32))],
    )
    return finish(graph)
