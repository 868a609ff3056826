"""The estimator, its metrics, and the model bundle (model, metadata, reference) on disk."""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import joblib
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .reference import load_profile
from .settings import Settings

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"


class Classifier(Protocol):
    """What serving and evaluation need from a fitted model."""

    def predict_proba(self, features: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Bundle:
    """A loaded model version: the fitted model and what was recorded when it was trained.

    Held in memory, so a bundle downloaded from MLflow leaves no files behind."""

    model: Classifier
    metadata: dict[str, Any]
    profile: dict[str, Any]

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(self.metadata["features"])


def build_pipeline(settings: Settings) -> Pipeline:
    """Scaling plus logistic regression: fast to train and to serve, a solid baseline."""
    return Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "classify",
                LogisticRegression(
                    C=settings.regularization,
                    max_iter=settings.max_iter,
                    random_state=settings.random_seed,
                ),
            ),
        ]
    )


def training_params(settings: Settings) -> dict[str, Any]:
    """The parameters that define a run, logged with it."""
    return {
        "estimator": "LogisticRegression",
        "regularization": settings.regularization,
        "max_iter": settings.max_iter,
        "random_seed": settings.random_seed,
        "test_size": settings.test_size,
    }


def score(model: Classifier, features: pd.DataFrame, target: pd.Series) -> dict[str, float]:
    """Held-out metrics of a fitted model (class 1 is the positive class)."""
    probabilities = model.predict_proba(features.to_numpy(dtype=float))[:, 1]
    predicted = (probabilities >= 0.5).astype(int)
    return {
        "accuracy": float(accuracy_score(target, predicted)),
        "f1": float(f1_score(target, predicted)),
        "precision": float(precision_score(target, predicted, zero_division=0)),
        "recall": float(recall_score(target, predicted)),
        "roc_auc": float(roc_auc_score(target, probabilities)),
    }


def save_bundle(model: Classifier, metadata: dict[str, Any], directory: Path) -> Path:
    """Write model.joblib and metadata.json into directory (created if needed)."""
    directory.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, directory / MODEL_FILE)
    (directory / METADATA_FILE).write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    return directory


def load_metadata(directory: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((directory / METADATA_FILE).read_text(encoding="utf-8"))
    return loaded


def load_bundle(directory: Path) -> Bundle:
    """Load a bundle written by save_bundle. joblib unpickles: load only bundles you produced."""
    model: Classifier = joblib.load(directory / MODEL_FILE)
    return Bundle(model=model, metadata=load_metadata(directory), profile=load_profile(directory))
