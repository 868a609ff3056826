from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{packageName}}.data import (
    DataValidationError,
    fingerprint,
    load_bundled,
    load_frame,
    main,
    split,
    validate_frame,
)
from {{packageName}}.features import (
    EXAMPLE_ROW,
    FEATURES,
    TARGET,
    FeatureRow,
    to_identifier,
)


def test_bundled_data_matches_the_feature_contract() -> None:
    frame = load_frame()
    assert list(frame.columns) == [*FEATURES, TARGET]
    assert len(frame) > 500
    assert set(frame[TARGET].unique()) == {0, 1}


def test_feature_names_are_identifiers_and_build_the_request_model() -> None:
    assert all(name.isidentifier() for name in FEATURES)
    assert tuple(FeatureRow.model_fields) == FEATURES
    assert set(EXAMPLE_ROW) == set(FEATURES)
    assert to_identifier("mean concave points") == "mean_concave_points"
    assert to_identifier("2nd moment") == "f_2nd_moment"


def test_every_problem_is_reported_at_once() -> None:
    frame = load_bundled().drop(columns=["mean_radius"])
    frame.loc[0, "mean_texture"] = np.nan
    frame.loc[1, "mean_area"] = np.inf
    with pytest.raises(DataValidationError) as caught:
        validate_frame(frame)
    problems = caught.value.problems
    assert "missing column 'mean_radius'" in problems
    assert any("mean_texture" in problem and "missing" in problem for problem in problems)
    assert any("mean_area" in problem and "infinite" in problem for problem in problems)


def test_non_numeric_columns_and_unknown_labels_are_rejected() -> None:
    frame = load_bundled()
    frame["mean_texture"] = "high"
    with pytest.raises(DataValidationError, match="must be numeric"):
        validate_frame(frame)
    labels = load_bundled()
    labels.loc[0, TARGET] = 7
    with pytest.raises(DataValidationError, match="labels"):
        validate_frame(labels)


def test_too_few_rows_are_rejected() -> None:
    with pytest.raises(DataValidationError, match="rows"):
        validate_frame(load_bundled().head(10))


def test_split_is_reproducible_and_stratified() -> None:
    frame = load_frame()
    first = split(frame, 0.2, seed=7)
    second = split(frame, 0.2, seed=7)
    pd.testing.assert_frame_equal(first[1], second[1])
    assert abs(first[3].mean() - first[2].mean()) < 0.02


def test_fingerprint_changes_with_the_data() -> None:
    frame = load_frame()
    changed = frame.copy()
    changed.loc[0, "mean_radius"] += 1.0
    assert fingerprint(frame) == fingerprint(frame.copy())
    assert fingerprint(frame) != fingerprint(changed)


def test_csv_export_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "data" / "dataset.csv"
    assert main(["--export", str(path)]) == 0
    assert fingerprint(load_frame(path)) == fingerprint(load_frame())
