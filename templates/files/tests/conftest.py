"""Shared fixtures: settings that write into a temporary directory, and one trained model."""

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from {{packageName}}.registry import CHALLENGER, CHAMPION, open_registry
from {{packageName}}.settings import Settings
from {{packageName}}.train import train

from tests.helpers import make_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "artifacts")


@pytest.fixture(scope="session")
def trained_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A local registry with one trained version that is both challenger and champion."""
    settings = make_settings(tmp_path_factory.mktemp("trained") / "artifacts")
    summary = train(settings)
    registry = open_registry(settings)
    assert registry.version_for(CHALLENGER) == summary["version"]
    registry.set_alias(CHAMPION, summary["version"])
    return settings


@pytest.fixture(autouse=True)
def _no_tracking(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests never talk to a real tracking server, even if the shell has one configured."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """A CLI under test installs its JSON handler on pytest's captured stream; take it off after."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    yield
    root.handlers = handlers
