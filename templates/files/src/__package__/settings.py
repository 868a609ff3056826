"""Service settings, read once from the environment and an optional .env file.

Field `x_y` is read from the variable {{envPrefix}}X_Y,
except MLFLOW_TRACKING_URI and GIT_SHA, which keep their conventional names.
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every field is documented with its default in the README's settings table."""

    model_config = SettingsConfigDict(
        env_prefix="{{envPrefix}}",
        env_file=".env",
        extra="ignore",
        env_ignore_empty=True,
        frozen=True,
        populate_by_name=True,
    )

    # Tracking: MLflow is used only when a tracking URI is set (MLflow's own variable, no prefix).
    mlflow_tracking_uri: str | None = Field(
        default=None,
        validation_alias=AliasChoices("MLFLOW_TRACKING_URI"),
        description="MLflow tracking server; unset means tracking off and a local registry.",
    )
    model_name: str = Field(
        default="{{modelName}}",
        description="Registered model name.",
    )
    experiment_name: str = Field(
        default="{{modelName}}",
        description="MLflow experiment.",
    )
    model_alias: str = Field(default="{{championAlias}}", description="Alias the API serves.")
    artifacts_dir: Path = Field(
        default=Path("{{artifactsDir}}"),
        description="Local model registry and reference profiles (tracking off).",
    )
    data_path: Path | None = Field(
        default=None,
        description="CSV with the FEATURES columns and 'target'; unset uses the bundled set.",
    )

    # Training: a fixed seed and split make a run reproducible.
    random_seed: int = Field(default=42, description="Seed for the split and the estimator.")
    test_size: float = Field(default=0.2, gt=0.0, lt=1.0, description="Held-out fraction.")
    regularization: float = Field(default=1.0, gt=0.0, description="Inverse L2 strength (C).")
    max_iter: int = Field(default=1000, gt=0, description="Solver iterations.")

    # Quality gate: the candidate must clear absolute floors and not regress against the champion.
    min_accuracy: float = Field(default=0.9, ge=0.0, le=1.0, description="Accuracy floor.")
    min_roc_auc: float = Field(default=0.95, ge=0.0, le=1.0, description="ROC AUC floor.")
    max_regression: float = Field(
        default=0.01, ge=0.0, le=1.0, description="Largest allowed drop against the champion."
    )

    bootstrap_champion: bool = Field(
        default=True,
        description="With no champion yet, training promotes a candidate that passes the gate.",
    )

    # Drift: population stability index and Kolmogorov-Smirnov thresholds per feature.
    drift_psi_threshold: float = Field(default=0.2, gt=0.0, description="PSI above this drifts.")
    drift_ks_pvalue: float = Field(
        default=0.01, gt=0.0, lt=1.0, description="KS p-value below this drifts."
    )
    drift_data_path: str | None = Field(
        default=None,
        description="CSV or JSON Lines (path or URL) to check instead of the inference log.",
    )
    drift_window_days: int = Field(
        default=7, gt=0, description="Days of the inference log the drift check reads."
    )

    # Serving.
    max_batch_size: int = Field(default=100, gt=0, description="Most rows per /predict call.")
    inline_max_rows: int = Field(
        default=16,
        ge=0,
        description="Batches up to this size skip the worker thread when scoring is a dot product.",
    )
    # Serving limits and what the service records: one block, read by serving/ only.
    model_version: str | None = Field(
        default=None,
        description="Registry version to serve (pinned by the deploy); unset serves model_alias.",
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        gt=0,
        description="Largest /predict body in bytes (more is a 413, refused before parsing).",
    )
    max_validation_errors: int = Field(
        default=20, gt=0, description="Most field errors one 422 answer lists."
    )
    request_timeout_seconds: float = Field(
        default=10.0,
        gt=0.0,
        description="Time for reading a /predict body and scoring it (then 408 or 503).",
    )
    api_keys_file: Path | None = Field(
        default=None,
        description="File of API keys, one per line, that /predict requires; unset: none needed.",
    )
    docs_enabled: bool = Field(
        default=True, description="Serve /docs, /redoc and /openapi.json (off in Kubernetes)."
    )
    inference_log_uri: str | None = Field(
        default=None,
        description="Folder or s3://, gs://, az:// URL for scored rows; unset: artifacts_dir.",
    )
    inference_sample_rate: float = Field(
        default=1.0, ge=0.0, le=1.0, description="Fraction of requests whose rows are recorded."
    )
    inference_flush_seconds: float = Field(
        default=10.0, gt=0.0, description="How often the recorded rows are written out."
    )
    inference_buffer_rows: int = Field(
        default=100_000,
        gt=0,
        description="Most recorded rows held in memory; beyond it rows are dropped and counted.",
    )

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level of the JSON logs."
    )
    git_sha: str = Field(
        default="unknown",
        validation_alias=AliasChoices("GIT_SHA"),
        description="Commit the image was built from (set by CI), shown by /version.",
    )

    @property
    def tracking_enabled(self) -> bool:
        return bool(self.mlflow_tracking_uri)

    @property
    def inference_log_location(self) -> str:
        """Where serving writes the scored rows and the drift job reads them."""
        return self.inference_log_uri or str(self.artifacts_dir / "inference")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests build their own Settings instead."""
    return Settings()
