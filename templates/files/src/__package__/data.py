"""Training data: load, check against the feature contract, split, fingerprint.

load_frame is the seam for your own data: point settings.data_path (or
--data) at a CSV with the FEATURES columns and a 'target' column, or replace
load_bundled with your own source. Everything downstream sees only a checked frame.
"""

import argparse
import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from .features import FEATURES, LABELS, TARGET, to_identifier
from .logging_config import configure_logging

logger = logging.getLogger(__name__)

MIN_ROWS = 50


class DataValidationError(ValueError):
    """The data breaks the feature contract; the message lists every problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("data does not match the feature contract: " + "; ".join(self.problems))


def load_bundled() -> pd.DataFrame:
    """The Wisconsin breast cancer data set that ships inside scikit-learn (works offline)."""
    bunch = load_breast_cancer(as_frame=True)
    frame: pd.DataFrame = bunch.frame.rename(columns=to_identifier)
    return frame


def load_frame(path: Path | None = None) -> pd.DataFrame:
    """The checked training frame from a CSV file, or the bundled data set when path is None."""
    frame = load_bundled() if path is None else pd.read_csv(path)
    return validate_frame(frame)


def validate_frame(frame: pd.DataFrame, *, require_target: bool = True) -> pd.DataFrame:
    """Columns, types, missing and non-finite values, labels and size, all reported at once."""
    required = [*FEATURES, TARGET] if require_target else list(FEATURES)
    problems = [f"missing column {name!r}" for name in required if name not in frame.columns]
    present = [name for name in required if name in frame.columns]
    for name in present:
        column = frame[name]
        if not pd.api.types.is_numeric_dtype(column):
            problems.append(f"column {name!r} must be numeric, found {column.dtype}")
            continue
        missing = int(column.isna().sum())
        if missing:
            problems.append(f"column {name!r} has {missing} missing values")
        elif not np.isfinite(column.to_numpy(dtype=float)).all():
            problems.append(f"column {name!r} has infinite values")
    if require_target and TARGET in present and not problems:
        unknown = sorted(set(frame[TARGET].unique()) - set(range(len(LABELS))))
        if unknown:
            expected = f"0..{len(LABELS) - 1}"
            problems.append(f"column {TARGET!r} has labels {unknown}, expected {expected}")
    if len(frame) < MIN_ROWS:
        problems.append(f"{len(frame)} rows, at least {MIN_ROWS} are needed")
    if problems:
        raise DataValidationError(problems)
    return frame[required].astype({name: float for name in FEATURES})


def split(
    frame: pd.DataFrame, test_size: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """A stratified, seeded train/test split: the same settings give the same split."""
    x_train, x_test, y_train, y_test = train_test_split(
        frame[list(FEATURES)],
        frame[TARGET].astype(int),
        test_size=test_size,
        random_state=seed,
        stratify=frame[TARGET],
    )
    return x_train, x_test, y_train, y_test


def fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of the frame's contents: recorded with every model so its data is traceable."""
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    """Export the bundled data set as CSV (the DVC pipeline's first stage)."""
    parser = argparse.ArgumentParser(
        prog="python -m {{packageName}}.data",
        description=main.__doc__,
    )
    parser.add_argument("--export", type=Path, required=True, help="CSV file to write")
    args = parser.parse_args(argv)
    configure_logging()
    frame = load_frame(None)
    args.export.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(args.export, index=False)
    extra = {"path": str(args.export), "rows": len(frame), "sha256": fingerprint(frame)}
    logger.info("exported data set", extra=extra)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
