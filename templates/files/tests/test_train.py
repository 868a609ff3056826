import json
from pathlib import Path

import pytest

from {{packageName}}.data import main as export_data
from {{packageName}}.features import FEATURES
from {{packageName}}.model import METADATA_FILE
from {{packageName}}.reference import PROFILE_FILE
from {{packageName}}.registry import CHALLENGER
from {{packageName}}.settings import Settings
from {{packageName}}.train import main, train

from tests.helpers import env, local_registry, make_settings


def test_training_registers_a_challenger_with_metrics_and_a_reference_profile(
    settings: Settings,
) -> None:
    summary = train(settings)
    registry = local_registry(settings)
    assert summary["version"] == "1"
    assert registry.version_for(CHALLENGER) == "1"
    bundle = registry.load_version("1")
    assert bundle.features == FEATURES
    assert bundle.metadata["metrics"]["accuracy"] > 0.9
    assert len(bundle.metadata["data_sha256"]) == 64
    assert set(bundle.profile["features"]) == set(FEATURES)
    stored = registry.root / "versions" / "1"
    profile = json.loads((stored / PROFILE_FILE).read_text())
    assert profile == bundle.profile
    assert (stored / METADATA_FILE).is_file()


def test_training_is_reproducible(tmp_path: Path) -> None:
    first = train(make_settings(tmp_path / "a"))
    second = train(make_settings(tmp_path / "b"))
    assert first["accuracy"] == second["accuracy"]
    assert first["roc_auc"] == second["roc_auc"]


def test_each_run_is_a_new_version(settings: Settings) -> None:
    train(settings)
    train(settings)
    assert local_registry(settings).version_for(CHALLENGER) == "2"


def test_cli_trains_from_a_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = tmp_path / "data.csv"
    assert export_data(["--export", str(data)]) == 0
    monkeypatch.setenv(env("ARTIFACTS_DIR"), str(tmp_path / "artifacts"))
    summary = tmp_path / "reports" / "train.json"
    assert main(["--data", str(data), "--summary", str(summary)]) == 0
    assert json.loads(summary.read_text())["version"] == "1"
    registry = local_registry(make_settings(tmp_path / "artifacts"))
    assert registry.load_alias(CHALLENGER).metadata["data_source"] == str(data)
