"""MLflow in a throwaway sqlite store: log, register, alias, gate, promote, roll back."""

from pathlib import Path

import pytest

from {{packageName}}.evaluate import evaluate
from {{packageName}}.promote import promote
from {{packageName}}.registry import CHALLENGER, CHAMPION, open_registry
from {{packageName}}.rollback import rollback
from {{packageName}}.settings import Settings
from {{packageName}}.train import train

from tests.helpers import make_settings

mlflow = pytest.importorskip(
    "mlflow", reason="mlflow is not installed: install the project's runtime dependencies to run it"
)
pytestmark = pytest.mark.mlflow


@pytest.fixture
def tracked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.chdir(tmp_path)  # the default artifact root is relative to the working directory
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    return make_settings(tmp_path / "artifacts", mlflow_tracking_uri=uri)


def test_training_logs_and_registers_a_challenger(tracked: Settings) -> None:
    from {{packageName}}.tracking import MlflowRegistry

    summary = train(tracked)
    registry = open_registry(tracked)
    assert isinstance(registry, MlflowRegistry)
    assert registry.version_for(CHALLENGER) == summary["version"]
    model_version = registry.client.get_model_version(tracked.model_name, summary["version"])
    run = registry.client.get_run(model_version.run_id)
    assert run.data.metrics["accuracy"] == pytest.approx(summary["accuracy"])
    assert run.data.params["estimator"] == "LogisticRegression"
    assert len(run.data.tags["data_sha256"]) == 64
    model = mlflow.models.get_model_info(f"models:/{tracked.model_name}/{summary['version']}")
    assert model.signature is not None
    assert model.saved_input_example_info is not None


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
    rollback(tracked)
    assert registry.version_for(CHAMPION) == first
