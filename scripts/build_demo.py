"""Build the bundled demo: a digits classifier (base) and a "pull request" version of it
that is larger, slower and less accurate (head). Needs the dev extras (scikit-learn,
skl2onnx). Deterministic: fixed seeds, so the committed files can be rebuilt exactly."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from skl2onnx import to_onnx
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

OUT = Path(__file__).resolve().parents[1] / "src" / "mlgate" / "demo"
IR_VERSION = 10  # readable by every supported onnxruntime
CONFIG = """\
# The demo's gate config: the same keys a repository's mlgate.yml uses.
version: 1
models:
  - path: "**/*.onnx"
    eval:
      data: eval.npz        # relative to this file
      metric: top1
      output: probabilities
      batch_size: 1         # online serving: one image per request
thresholds:
  accuracy: -0.5pp
  latency.p50: +5%
  size: +10%
latency:
  budget_seconds: 15
"""


def _export(model: MLPClassifier, sample: np.ndarray, path: Path) -> None:
    onx = to_onnx(
        model, sample[:1], options={"zipmap": False}, target_opset={"": 15, "ai.onnx.ml": 3}
    )
    onx.ir_version = IR_VERSION
    onx.doc_string = ""
    path.write_bytes(onx.SerializeToString())


def main() -> None:
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=0.3, random_state=0, stratify=y
    )
    base = MLPClassifier(hidden_layer_sizes=(32,), max_iter=400, random_state=0)
    base.fit(x_train, y_train)
    # The "pull request": a much wider network, trained on a tenth of the data.
    head = MLPClassifier(hidden_layer_sizes=(512, 512), max_iter=400, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        head.fit(x_train[:120], y_train[:120])
    OUT.mkdir(parents=True, exist_ok=True)
    _export(base, x_test, OUT / "base.onnx")
    _export(head, x_test, OUT / "head.onnx")
    np.savez_compressed(OUT / "eval.npz", X=x_test, labels=y_test)
    (OUT / "mlgate.yml").write_text(CONFIG)
    print(f"base accuracy {base.score(x_test, y_test):.3f}, head {head.score(x_test, y_test):.3f}")


if __name__ == "__main__":
    main()
