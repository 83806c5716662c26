"""scikit-learn models trained on the datasets scikit-learn bundles (no download), exported
with skl2onnx: one float input `X`, outputs `label` and `probabilities` (no ZipMap)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import onnx
from skl2onnx import to_onnx
from sklearn import datasets
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits


@dataclass(frozen=True)
class Split:
    x_train: np.ndarray
    y_train: np.ndarray
    x_eval: np.ndarray
    y_eval: np.ndarray

    def eval_npz(self) -> dict[str, np.ndarray]:
        return {"X": self.x_eval, "labels": self.y_eval}

    def fewer(self, count: int, seed: int = 0) -> Split:
        """The same eval set; the first `count` shuffled training examples."""
        order = np.random.default_rng(seed).permutation(len(self.y_train))[:count]
        return Split(self.x_train[order], self.y_train[order], self.x_eval, self.y_eval)


LOADERS = {
    "digits": datasets.load_digits,
    "breast_cancer": datasets.load_breast_cancer,
    "wine": datasets.load_wine,
    "iris": datasets.load_iris,
}


def split(name: str, eval_count: int, seed: int = 0) -> Split:
    data = LOADERS[name]()
    x = data.data.astype(np.float32)
    y = data.target.astype(np.int64)
    x_train, x_eval, y_train, y_eval = train_test_split(
        x, y, test_size=eval_count, random_state=seed, stratify=y
    )
    return Split(x_train, y_train, x_eval, y_eval)


def fitted(estimator: BaseEstimator, data: Split) -> BaseEstimator:
    """Trained on one BLAS thread: threads fighting over shared cores made a 4 s fit take 45."""
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")  # convergence warnings of deliberately weak models
        return estimator.fit(data.x_train, data.y_train)  # type: ignore[attr-defined,no-any-return]


def exported(estimator: BaseEstimator, data: Split) -> onnx.ModelProto:
    return to_onnx(  # type: ignore[no-any-return]
        estimator,
        data.x_train[:1],
        options={id(estimator): {"zipmap": False}},
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
