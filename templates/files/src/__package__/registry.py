"""Model registry: versions, aliases and tags, in MLflow when tracking is on, else on local disk.

Both registries speak the same small interface, so training, the quality gate,
promotion, rollback, drift checks and serving do not care which one is in use.
The local one mirrors MLflow's model: numbered versions and movable aliases.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from .model import Bundle, Classifier, load_bundle
from .settings import Settings

CHAMPION = "{{championAlias}}"
CHALLENGER = "{{challengerAlias}}"
# Set by promote to the version it replaced; rollback moves the champion back to it.
PREVIOUS_CHAMPION = "previous_{{championAlias}}"
GATE_TAG = "quality_gate"


class RegistryError(RuntimeError):
    """A registry operation cannot be done (for example an alias that points nowhere)."""


class Registry(Protocol):
    def register(self, staging: Path, model: Classifier, example: pd.DataFrame) -> str:
        """Store the bundle in staging (and the fitted model) as a new version; return it."""
        ...

    def version_for(self, alias: str) -> str | None: ...

    def set_alias(self, alias: str, version: str) -> None: ...

    def delete_alias(self, alias: str) -> None: ...

    def load_version(self, version: str) -> Bundle: ...

    def load_alias(self, alias: str) -> Bundle: ...

    def set_tag(self, version: str, key: str, value: str) -> None: ...

    def tags(self, version: str) -> dict[str, str]: ...


def open_registry(settings: Settings) -> Registry:
    """MLflow's registry when MLFLOW_TRACKING_URI is set, else the local one."""
    if settings.tracking_enabled:
        # Imported here so that mlflow is needed only when tracking is on.
        from .tracking import MlflowRegistry

        return MlflowRegistry(settings)
    return LocalRegistry(settings.artifacts_dir / "registry" / settings.model_name)


class LocalRegistry:
    """versions/<n>/ holds a bundle and tags.json; aliases.json maps alias -> version."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @property
    def _aliases_file(self) -> Path:
        return self.root / "aliases.json"

    def _version_dir(self, version: str) -> Path:
        directory = self.root / "versions" / version
        if not directory.is_dir():
            raise RegistryError(f"model version {version} does not exist in {self.root}")
        return directory

    def _aliases(self) -> dict[str, str]:
        if not self._aliases_file.exists():
            return {}
        aliases: dict[str, str] = json.loads(self._aliases_file.read_text(encoding="utf-8"))
        return aliases

    def _write_json(self, path: Path, data: dict[str, Any]) -> None:
        # Write then rename: a reader never sees a half-written file.
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as file:
            json.dump(data, file, indent=2)
        os.replace(file.name, path)

    def register(self, staging: Path, model: Classifier, example: pd.DataFrame) -> str:
        versions = self.root / "versions"
        versions.mkdir(parents=True, exist_ok=True)
        existing = [int(path.name) for path in versions.iterdir() if path.name.isdigit()]
        version = str(max(existing, default=0) + 1)
        shutil.copytree(staging, versions / version)
        return version

    def version_for(self, alias: str) -> str | None:
        return self._aliases().get(alias)

    def set_alias(self, alias: str, version: str) -> None:
        self._version_dir(version)
        self._write_json(self._aliases_file, {**self._aliases(), alias: version})

    def delete_alias(self, alias: str) -> None:
        aliases = self._aliases()
        aliases.pop(alias, None)
        self._write_json(self._aliases_file, aliases)

    def load_version(self, version: str) -> Bundle:
        bundle = load_bundle(self._version_dir(version))
        bundle.metadata["version"] = version
        return bundle

    def load_alias(self, alias: str) -> Bundle:
        version = self.version_for(alias)
        if version is None:
            raise RegistryError(f"no model version has the alias {alias!r} in {self.root}")
        return self.load_version(version)

    def set_tag(self, version: str, key: str, value: str) -> None:
        path = self._version_dir(version) / "tags.json"
        self._write_json(path, {**self.tags(version), key: value})

    def tags(self, version: str) -> dict[str, str]:
        path = self._version_dir(version) / "tags.json"
        if not path.exists():
            return {}
        tags: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        return tags
