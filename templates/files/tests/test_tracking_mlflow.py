"""MLflow in a throwaway sqlite store: log, register, alias, gate, promote, roll back."""

import tempfile
from pathlib import Path

import mlflow
import pytest

from {{packageName}}.evaluate import evaluate
from {{packageName}}.promote import promote
from {{packageName}}.registry import CHALLENGER, CHAMPION, open_registry
from {{packageName}}.rollback import rollback
from {{packageName}}.settings import Settings
from {{packageName}}.train import train

from tests.helpers import make_settings

pytestmark = pytest.mark.mlflow


@pytest.fixture(scope="session")
def tracking_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One sqlite store for the module: creating one runs every schema migration (seconds)."""
    return tmp_path_factory.mktemp("mlflow")


@pytest.fixture
def tracked(
    tracking_store: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    monkeypatch.chdir(tracking_store)  # the default artifact root is relative to the working dir
    uri = f"sqlite:///{tracking_store / 'mlflow.db'}"
    # A registered model of its own per test: versions start at 1 whatever ran before.
    name = request.node.name.removeprefix("test_").replace("_", "-")[:60]
    return make_settings(
        tracking_store / "artifacts", mlflow_tracking_uri=uri, model_name=name, experiment_name=name
    )


def test_training_logs_and_registers_a_challenger(tracked: Settings) -> None:
    from {{packageName}}.tracking import MlflowRegistry

    summary = train(tracked)
    registry = open_registry(tracked)
    assert isinstance(registry, MlflowRegistry)
    assert registry.version_for(CHALLENGER) == summary["version"]
    model_version = registry.client.get_model_version(tracked.model_name, summary["version"])
    assert model_version.run_id is not None
    run = registry.client.get_run(model_version.run_id)
    assert run.data.metrics["accuracy"] == pytest.approx(summary["accuracy"])
    assert run.data.params["estimator"] == "LogisticRegression"
    assert len(run.data.tags["data_sha256"]) == 64
    model = mlflow.models.get_model_info(f"models:/{tracked.model_name}/{summary['version']}")
    assert model.signature is not None
    assert model.saved_input_example_info is not None


def test_loading_a_version_leaves_no_download_behind(
    tracked: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server reloads its model on every rollout: each load must clean up after itself."""
    version = train(tracked)["version"]
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(downloads))
    bundle = open_registry(tracked).load_version(version)
    assert bundle.metadata["version"] == version
    assert bundle.profile["rows"] > 0
    left = [entry.name for entry in downloads.iterdir() if entry.name.startswith("model-bundle-")]
    assert left == []


def test_gate_promote_and_rollback_move_aliases(tracked: Settings) -> None:
    first = train(tracked)["version"]
    assert evaluate(tracked).passed
    promote(tracked)
    second = train(tracked)["version"]
    assert evaluate(tracked).passed
    promote(tracked)
    registry = open_registry(tracked)
    assert registry.version_for(CHAMPION) == second
    bundle = registry.load_alias(CHAMPION)
    assert bundle.metadata["version"] == second
    assert set(bundle.profile["features"]) == set(bundle.features)
    rollback(tracked)
    assert registry.version_for(CHAMPION) == first
