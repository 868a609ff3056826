"""MLflow: the only module that imports mlflow, loaded only when MLFLOW_TRACKING_URI is set.

A training run logs its parameters, metrics, data fingerprint, the model (with
its signature and an input example) and the bundle (metadata and reference
profile), and registers the model as a new version of settings.model_name.
"""

import os
import tempfile
from importlib.metadata import version as installed_version
from pathlib import Path

import mlflow
import mlflow.artifacts
import mlflow.sklearn
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.models import infer_signature
from mlflow.tracking import MlflowClient

from .model import Bundle, Classifier, load_metadata
from .reference import load_profile
from .registry import RegistryError
from .settings import Settings

BUNDLE_ARTIFACTS = "bundle"


class MlflowRegistry:
    """The Registry interface over MLflow's model registry (aliases, version tags, runs)."""

    def __init__(self, settings: Settings) -> None:
        uri = settings.mlflow_tracking_uri
        if not uri:
            raise RegistryError("MLFLOW_TRACKING_URI is not set: tracking is off")
        self.settings = settings
        self.name = settings.model_name
        mlflow.set_tracking_uri(uri)
        self.client = MlflowClient(tracking_uri=uri)

    def register(self, staging: Path, model: Classifier, example: pd.DataFrame) -> str:
        metadata = load_metadata(staging)
        # Under `mlflow run`, MLflow has already opened the run (MLFLOW_RUN_ID) in the experiment
        # of its command line; setting another one would make start_run refuse that run.
        if not os.environ.get("MLFLOW_RUN_ID"):
            mlflow.set_experiment(self.settings.experiment_name)
        with mlflow.start_run() as run:
            mlflow.log_params(metadata["params"])
            mlflow.log_metrics(metadata["metrics"])
            mlflow.set_tags(
                {
                    "git_sha": metadata["git_sha"],
                    "data_sha256": metadata["data_sha256"],
                    "data_source": metadata["data_source"],
                }
            )
            mlflow.log_artifacts(str(staging), artifact_path=BUNDLE_ARTIFACTS)
            signature = infer_signature(example, model.predict_proba(example.to_numpy(dtype=float)))
            info = mlflow.sklearn.log_model(
                model,
                name="model",
                signature=signature,
                input_example=example.head(3),
                registered_model_name=self.name,
                # cloudpickle, which the serving image's mlflow-skinny loads (MLflow 3's default,
                # skops, is only in full MLflow); load only models your own training logged.
                serialization_format=mlflow.sklearn.SERIALIZATION_FORMAT_CLOUDPICKLE,
                # Stated, not inferred: inference re-imports the model in a subprocess (slow),
                # and these are exactly the versions of uv.lock that trained it.
                pip_requirements=[
                    f"{package}=={installed_version(package)}"
                    for package in ("scikit-learn", "numpy", "cloudpickle")
                ],
            )
            if info.registered_model_version is None:
                raise RegistryError(f"MLflow did not register run {run.info.run_id} as {self.name}")
            return str(info.registered_model_version)

    def version_for(self, alias: str) -> str | None:
        try:
            return str(self.client.get_model_version_by_alias(self.name, alias).version)
        except MlflowException:
            return None

    def set_alias(self, alias: str, version: str) -> None:
        self.client.set_registered_model_alias(self.name, alias, version)

    def delete_alias(self, alias: str) -> None:
        if self.version_for(alias) is not None:
            self.client.delete_registered_model_alias(self.name, alias)

    def _bundle(self, model_uri: str, version: str, run_id: str | None) -> Bundle:
        if run_id is None:
            raise RegistryError(f"version {version} of {self.name} was not logged by a run")
        model: Classifier = mlflow.sklearn.load_model(model_uri)
        # Read into memory, then removed: a server that reloads its model leaves no files in /tmp.
        with tempfile.TemporaryDirectory(prefix="model-bundle-") as directory:
            mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path=BUNDLE_ARTIFACTS, dst_path=directory
            )
            bundle_dir = Path(directory) / BUNDLE_ARTIFACTS
            metadata = load_metadata(bundle_dir)
            profile = load_profile(bundle_dir)
        metadata["version"] = version
        return Bundle(model=model, metadata=metadata, profile=profile)

    def load_version(self, version: str) -> Bundle:
        model_version = self.client.get_model_version(self.name, version)
        return self._bundle(f"models:/{self.name}/{version}", version, model_version.run_id)

    def load_alias(self, alias: str) -> Bundle:
        try:
            model_version = self.client.get_model_version_by_alias(self.name, alias)
        except MlflowException as error:
            raise RegistryError(f"no version of {self.name} has the alias {alias!r}") from error
        version = str(model_version.version)
        return self._bundle(f"models:/{self.name}@{alias}", version, model_version.run_id)

    def set_tag(self, version: str, key: str, value: str) -> None:
        self.client.set_model_version_tag(self.name, version, key, value)

    def tags(self, version: str) -> dict[str, str]:
        return dict(self.client.get_model_version(self.name, version).tags)
