import pytest

from {{packageName}}.evaluate import evaluate
from {{packageName}}.promote import main as promote_main
from {{packageName}}.promote import promote
from {{packageName}}.registry import (
    CHAMPION,
    PREVIOUS_CHAMPION,
    RegistryError,
)
from {{packageName}}.rollback import main as rollback_main
from {{packageName}}.rollback import rollback
from {{packageName}}.settings import Settings
from {{packageName}}.train import train

from tests.helpers import env, local_registry


def train_and_gate(settings: Settings) -> str:
    version = str(train(settings)["version"])
    assert evaluate(settings).passed
    return version


def test_promote_moves_the_champion_and_remembers_the_previous_one(settings: Settings) -> None:
    first = train_and_gate(settings)
    assert promote(settings)["champion"] == first
    second = train_and_gate(settings)
    result = promote(settings)
    registry = local_registry(settings)
    assert result == {"champion": second, "previous": first, "changed": True}
    assert registry.version_for(CHAMPION) == second
    assert registry.version_for(PREVIOUS_CHAMPION) == first


def test_the_first_candidate_that_passes_the_gate_becomes_champion(settings: Settings) -> None:
    summary = train(settings)
    registry = local_registry(settings)
    assert summary["bootstrapped_champion"] is True
    assert registry.version_for(CHAMPION) == "1"
    assert registry.tags("1")["quality_gate"] == "passed"
    assert train(settings)["bootstrapped_champion"] is False
    assert registry.version_for(CHAMPION) == "1"


def test_a_first_candidate_below_the_floors_does_not_become_champion(settings: Settings) -> None:
    strict = settings.model_copy(update={"min_accuracy": 1.0})
    assert train(strict)["bootstrapped_champion"] is False
    assert local_registry(settings).version_for(CHAMPION) is None


def test_promote_refuses_a_version_that_did_not_pass_the_gate(settings: Settings) -> None:
    train(settings)
    train(settings)
    with pytest.raises(RegistryError, match="quality gate"):
        promote(settings)
    assert promote(settings, force=True)["champion"] == "2"


def test_promoting_the_champion_again_changes_nothing(settings: Settings) -> None:
    train_and_gate(settings)
    promote(settings)
    assert promote(settings)["changed"] is False


def test_rollback_restores_the_previous_champion_once(settings: Settings) -> None:
    first = train_and_gate(settings)
    promote(settings)
    second = train_and_gate(settings)
    promote(settings)
    assert rollback(settings) == {"champion": first, "replaced": second}
    assert local_registry(settings).version_for(CHAMPION) == first
    with pytest.raises(RegistryError, match="--version"):
        rollback(settings)
    assert rollback(settings, version=second)["champion"] == second


def test_cli_exit_codes(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(env("ARTIFACTS_DIR"), str(settings.artifacts_dir))
    train(settings)
    train(settings)
    assert promote_main([]) == 1
    assert promote_main(["--force"]) == 0
    assert rollback_main([]) == 0
    assert rollback_main([]) == 1
    assert rollback_main(["--version", "2"]) == 0


def test_aliases_must_point_at_existing_versions(settings: Settings) -> None:
    with pytest.raises(RegistryError, match="does not exist"):
        local_registry(settings).set_alias(CHAMPION, "42")
