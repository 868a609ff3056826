"""Turns a loaded model into the function serving calls: rows in, P(class 1) out.

scikit-learn validates its input on every call, which costs far more than the
arithmetic for a handful of rows. A scaler + logistic regression pipeline is
one dot product, so it is folded into a weight vector once at start-up and
checked against predict_proba; any other model, or a check that disagrees,
falls back to predict_proba unchanged.
"""

from collections.abc import Callable

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ..model import Classifier

Scorer = Callable[[np.ndarray], np.ndarray]


def build_scorer(model: Classifier, check_rows: np.ndarray) -> tuple[Scorer, str]:
    """The fastest exact scorer for `model` and its kind ("linear" or "predict_proba")."""

    def predict_proba(rows: np.ndarray) -> np.ndarray:
        probabilities: np.ndarray = model.predict_proba(rows)[:, 1]
        return probabilities

    linear = _folded_linear(model)
    if linear is None:
        return predict_proba, "predict_proba"
    expected = predict_proba(check_rows)
    if not np.allclose(linear(check_rows), expected, rtol=1e-9, atol=1e-12):
        return predict_proba, "predict_proba"
    return linear, "linear"


def _folded_linear(model: Classifier) -> Scorer | None:
    if not isinstance(model, Pipeline) or len(model.steps) != 2:
        return None
    scaler, classifier = model.steps[0][1], model.steps[1][1]
    if not isinstance(scaler, StandardScaler) or not isinstance(classifier, LogisticRegression):
        return None
    if classifier.coef_.shape[0] != 1:  # multi-class: keep scikit-learn's softmax
        return None
    mean = scaler.mean_ if scaler.with_mean else 0.0
    scale = scaler.scale_ if scaler.with_std else 1.0
    # (x - mean) / scale @ w + b  ==  x @ (w / scale) + (b - mean @ (w / scale))
    weights = np.asarray(classifier.coef_[0] / scale, dtype=float)
    bias = float(classifier.intercept_[0] - np.sum(mean * weights))

    def linear(rows: np.ndarray) -> np.ndarray:
        logits = rows @ weights + bias
        probabilities: np.ndarray = 1.0 / (1.0 + np.exp(-logits))
        return probabilities

    return linear
