"""Data drift: compare what the service scored recently with the model's reference profile.

    python -m {{packageName}}.drift
        [--current PATH_OR_URL] [--days N] [--report-dir DIR]

Recent data is the service's inference log (settings.inference_log_location: JSON
Lines under <uri>/date=YYYY-MM-DD/, one line per scored row with its
"features") for the last settings.drift_window_days days, or a CSV / JSON Lines
file given with --current (settings.drift_data_path). Paths and URLs both work:
local files, file://, https://{{#if isAws}}, s3://{{/if}}{{#if isGcp}}, gs://{{/if}}{{#if isAzure}}, az://{{/if}} (fsspec).

Per feature it reports the population stability index (PSI) over the
reference's quantile bins and a two-sample Kolmogorov-Smirnov test against the
reference sample. A feature drifts when PSI exceeds settings.drift_psi_threshold
or the KS p-value falls below settings.drift_ks_pvalue divided by the number of
features (Bonferroni: many features must not mean many false alarms).

Writes drift.json and drift.md into the report directory. Exits 0 without
drift, 1 on drift, 2 when there is no recent data to compare (it never
compares the training data with itself), so a scheduled job fails visibly.
"""

import argparse
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import fsspec
import numpy as np
import pandas as pd
from scipy.stats import ks_2samp

from .data import DataValidationError, validate_frame
from .features import FEATURES
from .logging_config import configure_logging
from .reference import bin_proportions
from .registry import open_registry
from .settings import Settings

logger = logging.getLogger(__name__)

# Floor for empty bins: PSI takes a logarithm of each bin's share.
_EPSILON = 1e-4
EXIT_DRIFT = 1
EXIT_NO_DATA = 2


class NoRecentDataError(RuntimeError):
    """There is nothing recent to compare with the reference."""


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


def window_dates(days: int, today: date) -> list[date]:
    """The last `days` UTC dates, oldest first, today included."""
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def read_inference_log(uri: str, days: int, today: date) -> tuple[pd.DataFrame, list[str]]:
    """Feature rows of the inference log's date partitions in the window, and the files read."""
    fs, root = fsspec.core.url_to_fs(uri)
    root = root.rstrip("/")
    files: list[str] = []
    for day in window_dates(days, today):
        files.extend(sorted(fs.glob(f"{root}/date={day.isoformat()}/*.jsonl")))
    rows: list[dict[str, Any]] = []
    for path in files:
        with fs.open(path, "rt", encoding="utf-8") as handle:
            rows.extend(json.loads(line)["features"] for line in handle if line.strip())
    return pd.DataFrame(rows, columns=list(FEATURES)), files


def read_current(location: str) -> pd.DataFrame:
    """A CSV, or JSON Lines of inference records, at a local path or URL."""
    with fsspec.open(location, "rt", encoding="utf-8") as handle:
        if location.endswith((".jsonl", ".ndjson")):
            records = [json.loads(line) for line in handle if line.strip()]
            return pd.DataFrame([record.get("features", record) for record in records])
        frame: pd.DataFrame = pd.read_csv(handle)
        return frame


def load_recent(
    settings: Settings, current: str | None, days: int, today: date
) -> tuple[pd.DataFrame, str]:
    """The recent inputs and a description of where they came from; NoRecentDataError if none."""
    location = current or settings.drift_data_path
    if location:
        frame, source = read_current(location), location
    else:
        uri = settings.inference_log_location
        frame, files = read_inference_log(uri, days, today)
        first, last = window_dates(days, today)[0], today
        source = f"{uri} (date={first} to date={last}, {len(files)} files)"
        if frame.empty:
            raise NoRecentDataError(
                f"no inference records in {uri} for date={first} to date={last}: the service "
                "logs what it scores there; pass --current or set DRIFT_DATA_PATH otherwise"
            )
    try:
        return validate_frame(frame, require_target=False), source
    except DataValidationError as error:
        raise NoRecentDataError(f"recent data from {source} cannot be compared: {error}") from error


def markdown_report(report: dict[str, Any]) -> str:
    lines = [
        f"# Data drift: model version {report['model_version']}",
        "",
        f"- Recent data: {report['source']} ({report['rows']} rows)",
        f"- Checked at: {report['checked_at']}",
        f"- Drifted features: {', '.join(report['drifted']) or 'none'}",
        "",
        "| feature | PSI | KS statistic | KS p-value | drifted |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for row in report["features"]:
        lines.append(
            f"| {row['feature']} | {row['psi']:.4f} | {row['ks_statistic']:.4f} "
            f"| {row['ks_pvalue']:.3g} | {'**yes**' if row['drifted'] else 'no'} |"
        )
    return "\n".join(lines) + "\n"


def write_report(report: dict[str, Any], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "drift.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (directory / "drift.md").write_text(markdown_report(report), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{packageName}}.drift",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--current", default=None, help="CSV or JSON Lines, path or URL")
    parser.add_argument("--days", type=int, default=None, help="inference log window in days")
    parser.add_argument("--alias", default=None, help="model whose reference to use")
    parser.add_argument("--report-dir", type=Path, default=Path("reports/drift"))
    parser.add_argument(
        "--require-current",
        action="store_true",
        help="accepted for older jobs: without recent data drift always exits 2",
    )
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_level)
    bundle = open_registry(settings).load_alias(args.alias or settings.model_alias)
    now = datetime.now(UTC)
    try:
        current, source = load_recent(
            settings, args.current, args.days or settings.drift_window_days, now.date()
        )
    except NoRecentDataError as error:
        logger.error("no recent data to check for drift", extra={"reason": str(error)})
        print(f"drift: {error}")
        return EXIT_NO_DATA
    results = detect_drift(bundle.profile, current, settings)
    drifted = [result.feature for result in results if result.drifted]
    report = {
        "model_version": bundle.metadata["version"],
        "source": source,
        "rows": len(current),
        "checked_at": now.isoformat(timespec="seconds"),
        "drifted": drifted,
        "features": [asdict(result) for result in results],
    }
    write_report(report, args.report_dir)
    print(json.dumps(report, indent=2))
    if drifted:
        logger.error("data drift detected", extra={"features": drifted})
        return EXIT_DRIFT
    logger.info("no data drift", extra={"features_checked": len(results)})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
