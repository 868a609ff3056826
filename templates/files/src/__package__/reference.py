"""The reference data profile saved with every model: what drift detection compares against."""

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .features import FEATURES

PROFILE_FILE = "reference_profile.json"
BINS = 10
# Enough values for a meaningful two-sample KS test, few enough to keep the profile small.
SAMPLE_SIZE = 1000


def build_profile(features: pd.DataFrame, seed: int) -> dict[str, Any]:
    """Per feature: quantile bin edges, the share of rows per bin, statistics and a sample."""
    profile: dict[str, Any] = {"rows": len(features), "features": {}}
    for name in FEATURES:
        values = features[name].to_numpy(dtype=float)
        edges = np.unique(np.quantile(values, np.linspace(0.0, 1.0, BINS + 1)))
        sample = values
        if len(values) > SAMPLE_SIZE:
            sample = np.random.default_rng(seed).choice(values, SAMPLE_SIZE, replace=False)
        profile["features"][name] = {
            "edges": edges.tolist(),
            "proportions": bin_proportions(values, edges).tolist(),
            "mean": float(values.mean()),
            "std": float(values.std()),
            "min": float(values.min()),
            "max": float(values.max()),
            "sample": sample.tolist(),
        }
    return profile


def bin_proportions(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share of values per bin; the outer bins are open so out-of-range values still count."""
    inner = edges[1:-1]
    counts = np.bincount(np.searchsorted(inner, values, side="right"), minlength=len(inner) + 1)
    total = max(int(counts.sum()), 1)
    proportions: np.ndarray = counts / total
    return proportions


def save_profile(profile: dict[str, Any], directory: Path) -> Path:
    path = directory / PROFILE_FILE
    path.write_text(json.dumps(profile), encoding="utf-8")
    return path


def load_profile(directory: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((directory / PROFILE_FILE).read_text(encoding="utf-8"))
    return loaded
