"""Turns a loaded model into the function serving calls: rows in, P(class 1) out.

scikit-learn validates its input on every call, which costs far more than the
arithmetic for a handful of rows. A scaler + logistic regression pipeline is
one dot product, so it is folded into a weight vector once at start-up and
checked against predict_proba; any other model, or a check that disagrees,
falls back to predict_proba unchanged.

Both scorers return NaN for a row the model cannot score: huge but finite
inputs (1e308) overflow to infinity inside the model, and serving answers
such rows with a 422 rather than a meaningless 0 or 1, or a 500.
"""

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from ..model import Classifier

Rows = Sequence[Sequence[float]]


@dataclass(frozen=True)
class Scorer:
    """P(class 1) per row, NaN for a row the model cannot score.

    `score` takes a matrix (any batch, any model); `score_few` exists for the
    folded linear model only and takes the rows as Python floats: for a handful
    of rows plain float arithmetic beats building an array and NumPy's
    per-call overhead several times over.
    """

    kind: str
    score: Callable[[np.ndarray], np.ndarray]
    score_few: Callable[[Rows], list[float]] | None = None


def build_scorer(model: Classifier, check_rows: np.ndarray) -> Scorer:
    """The fastest exact scorer for `model`: kind "linear" or "predict_proba"."""

    def predict_proba(rows: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            try:
                probabilities: np.ndarray = model.predict_proba(rows)[:, 1]
            except ValueError as error:
                if not _overflowed(error):
                    raise
                # Score row by row so that only the rows that overflowed become NaN.
                return np.array([_one_row(model, row) for row in rows], dtype=float)
        return probabilities

    fallback = Scorer("predict_proba", predict_proba)
    folded = _folded_linear(model)
    if folded is None:
        return fallback
    linear, few = folded
    expected = predict_proba(check_rows)
    for scored in (linear(check_rows), few(check_rows.tolist())):
        if not np.allclose(scored, expected, rtol=1e-9, atol=1e-12):
            return fallback
    return Scorer("linear", linear, few)


def _folded_linear(
    model: Classifier,
) -> tuple[Callable[[np.ndarray], np.ndarray], Callable[[Rows], list[float]]] | None:
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
    weight_list = weights.tolist()

    def linear(rows: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            logits = rows @ weights + bias
            probabilities: np.ndarray = 1.0 / (1.0 + np.exp(-logits))
        # An infinite logit is an overflow, not certainty: report the row as unscorable.
        probabilities[~np.isfinite(logits)] = np.nan
        return probabilities

    def few(rows: Rows) -> list[float]:
        # Float arithmetic overflows to inf or NaN silently, as NumPy does: checked per row.
        return [_sigmoid(sum(map(operator.mul, row, weight_list)) + bias) for row in rows]

    return linear, few


def _sigmoid(logit: float) -> float:
    if not math.isfinite(logit):
        return math.nan
    try:
        return 1.0 / (1.0 + math.exp(-logit))
    except OverflowError:  # logit below about -709: the probability is 0 to double precision
        return 0.0


def _overflowed(error: ValueError) -> bool:
    """scikit-learn's refusal of values that became infinite or NaN inside the pipeline."""
    message = str(error)
    return "infinity" in message or "NaN" in message


def _one_row(model: Classifier, row: np.ndarray) -> float:
    try:
        return float(model.predict_proba(row.reshape(1, -1))[0, 1])
    except ValueError as error:
        if not _overflowed(error):
            raise
        return float("nan")
