"""The served model: loaded once at start-up, a pinned version or the {{championAlias}} alias."""

from dataclasses import dataclass

import numpy as np

from ..features import FEATURES
from ..model import Bundle
from ..registry import open_registry
from ..settings import Settings
from .scorer import Scorer, build_scorer


@dataclass(frozen=True)
class LoadedModel:
    bundle: Bundle
    scorer: Scorer

    @property
    def version(self) -> str:
        return str(self.bundle.metadata["version"])

    @property
    def scorer_kind(self) -> str:
        return self.scorer.kind


@dataclass
class ModelState:
    """What the lifespan loaded; `model` stays None until it is ready."""

    model: LoadedModel | None = None
    error: str | None = None


def load_model(settings: Settings) -> LoadedModel:
    """settings.model_version when the deploy pinned one, else the version settings.model_alias
    points to, from MLflow or the local registry."""
    registry = open_registry(settings)
    if settings.model_version:
        bundle = registry.load_version(settings.model_version)
    else:
        bundle = registry.load_alias(settings.model_alias)
    if bundle.features != FEATURES:
        raise ValueError(
            f"model version {bundle.metadata['version']} was trained on features "
            f"{list(bundle.features)}, the API expects {list(FEATURES)}"
        )
    check_rows = np.column_stack([bundle.profile["features"][name]["sample"] for name in FEATURES])
    return LoadedModel(bundle=bundle, scorer=build_scorer(bundle.model, check_rows))
