import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{packageName}}.data import load_frame
from {{packageName}}.drift import (
    detect_drift,
    main,
    population_stability_index,
)
from {{packageName}}.features import FEATURES
from {{packageName}}.reference import build_profile
from {{packageName}}.settings import Settings

from tests.helpers import env


def test_psi_is_zero_for_identical_shares_and_grows_with_shift() -> None:
    shares = np.full(10, 0.1)
    assert population_stability_index(shares, shares) == pytest.approx(0.0)
    shifted = np.array([0.0] * 5 + [0.2] * 5)
    assert population_stability_index(shares, shifted) > 0.2


def test_same_distribution_does_not_drift(settings: Settings) -> None:
    frame = load_frame()
    profile = build_profile(frame.iloc[::2], seed=1)
    results = detect_drift(profile, frame.iloc[1::2], settings)
    assert [result.feature for result in results] == list(FEATURES)
    assert not any(result.drifted for result in results)


def test_a_shifted_feature_drifts(settings: Settings) -> None:
    frame = load_frame()
    profile = build_profile(frame, seed=1)
    current = frame.copy()
    current["mean_radius"] = current["mean_radius"] * 1.5
    results = detect_drift(profile, current, settings)
    assert {result.feature for result in results if result.drifted} == {"mean_radius"}


def test_cli_reports_and_exits_non_zero_on_drift(
    trained_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(env("ARTIFACTS_DIR"), str(trained_settings.artifacts_dir))
    frame = load_frame()
    capsys.readouterr()
    assert main([]) == 0
    assert json.loads(capsys.readouterr().out)["drifted"] == []

    shifted: pd.DataFrame = frame[list(FEATURES)].copy()
    shifted["worst_area"] = shifted["worst_area"] + 2 * shifted["worst_area"].std()
    path = tmp_path / "recent.csv"
    shifted.to_csv(path, index=False)
    assert main(["--current", str(path)]) == 1
    assert "worst_area" in json.loads(capsys.readouterr().out)["drifted"]


def test_cli_refuses_to_run_without_recent_inputs_when_required(
    trained_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(env("ARTIFACTS_DIR"), str(trained_settings.artifacts_dir))
    monkeypatch.delenv(env("DRIFT_DATA_PATH"), raising=False)
    assert main(["--require-current"]) == 2
