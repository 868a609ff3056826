"""Helpers shared by the test modules."""

from pathlib import Path
from typing import Any

from {{packageName}}.registry import LocalRegistry, open_registry
from {{packageName}}.settings import Settings


def make_settings(artifacts: Path, **overrides: Any) -> Settings:
    """Tracking off and every file under `artifacts`, whatever the environment says."""
    values: dict[str, Any] = {"mlflow_tracking_uri": None, "artifacts_dir": artifacts, **overrides}
    return Settings(**values)


def env(name: str) -> str:
    """The environment variable of a setting: the prefix plus its name."""
    return str(Settings.model_config["env_prefix"]) + name


def local_registry(settings: Settings) -> LocalRegistry:
    registry = open_registry(settings)
    assert isinstance(registry, LocalRegistry)
    return registry
