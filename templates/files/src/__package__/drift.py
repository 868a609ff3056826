"""Data drift: compare current data with the reference profile saved when the model was trained.

    python -m {{packageName}}.drift [--current PATH] [--alias {{championAlias}}]

Per feature it reports the population stability index (PSI) over the
reference's quantile bins and a two-sample Kolmogorov-Smirnov test against the
reference sample. A feature drifts when PSI exceeds settings.drift_psi_threshold
or the KS p-value falls below settings.drift_ks_pvalue divided by the number of
features (Bonferroni: many features must not mean many false alarms).
Exits 1 on drift, so a scheduled job or CI step fails visibly (docs/runbook.md).
"""

import argparse
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from .data import load_frame, validate_frame
from .features import FEATURES
from .logging_config import configure_logging
from .reference import bin_proportions, load_profile
from .registry import open_registry
from .settings import Settings

logger = logging.getLogger(__name__)

# Floor for empty bins: PSI takes a logarithm of each bin's share.
_EPSILON = 1e-4


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    psi: float
    ks_statistic: float
    ks_pvalue: float
    drifted: bool


def population_stability_index(expected: np.ndarray, actual: np.ndarray) -> float:
    """Sum over bins of (actual - expected) * ln(actual / expected); 0 means identical shares."""
    expected = np.clip(expected, _EPSILON, None)
    actual = np.clip(actual, _EPSILON, None)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def detect_drift(
    profile: dict[str, Any], current: pd.DataFrame, settings: Settings
) -> list[FeatureDrift]:
    pvalue_threshold = settings.drift_ks_pvalue / len(FEATURES)
    results = []
    for name in FEATURES:
        reference = profile["features"][name]
        values = current[name].to_numpy(dtype=float)
        edges = np.asarray(reference["edges"], dtype=float)
        psi = population_stability_index(
            np.asarray(reference["proportions"], dtype=float), bin_proportions(values, edges)
        )
        ks = ks_2samp(np.asarray(reference["sample"], dtype=float), values)
        statistic, pvalue = float(ks.statistic), float(ks.pvalue)
        drifted = psi > settings.drift_psi_threshold or pvalue < pvalue_threshold
        results.append(FeatureDrift(name, psi, statistic, pvalue, drifted))
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{packageName}}.drift",
        description=__doc__,
    )
    parser.add_argument(
        "--current",
        type=Path,
        default=None,
        help="CSV of recent inputs (default: settings.drift_data_path, else the training data)",
    )
    parser.add_argument("--alias", default=None, help="model whose reference to use")
    parser.add_argument(
        "--require-current",
        action="store_true",
        help="exit 2 when no recent inputs are set, instead of using the training data",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level)
    bundle = open_registry(settings).load_alias(args.alias or settings.model_alias)
    current_path = args.current or settings.drift_data_path
    if current_path is None and args.require_current:
        logger.error("no recent inputs to check: pass --current or set DRIFT_DATA_PATH")
        return 2
    if current_path is None:
        current = load_frame(settings.data_path)
    else:
        current = validate_frame(pd.read_csv(current_path), require_target=False)
    results = detect_drift(load_profile(bundle.directory), current, settings)
    drifted = [result.feature for result in results if result.drifted]
    report = {
        "model_version": bundle.metadata["version"],
        "rows": len(current),
        "drifted": drifted,
        "features": [asdict(result) for result in results],
    }
    print(json.dumps(report, indent=2))
    if drifted:
        logger.error("data drift detected", extra={"features": drifted})
        return 1
    logger.info("no data drift", extra={"features_checked": len(results)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
