import json

import pytest

from {{packageName}}.evaluate import compare, evaluate, main
from {{packageName}}.registry import CHAMPION, GATE_TAG, RegistryError
from {{packageName}}.settings import Settings
from {{packageName}}.train import train

from tests.helpers import env, local_registry, make_settings

GOOD = {"accuracy": 0.97, "roc_auc": 0.99, "f1": 0.97}


def test_a_candidate_above_the_floors_without_a_champion_passes(settings: Settings) -> None:
    assert compare(GOOD, None, settings) == []


def test_floors_come_from_settings(settings: Settings) -> None:
    strict = settings.model_copy(update={"min_accuracy": 0.99})
    failures = compare(GOOD, None, strict)
    assert len(failures) == 1
    assert "accuracy" in failures[0]


def test_a_regression_against_the_champion_fails(settings: Settings) -> None:
    champion = {**GOOD, "f1": 0.99}
    failures = compare(GOOD, champion, settings)
    assert failures == [
        "f1 0.9700 is worse than the champion's 0.9900 by more than 0.0100",
    ]


def test_gate_tags_the_candidate_and_the_cli_exit_code_follows(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    version = train(settings)["version"]
    result = evaluate(settings)
    assert result.passed
    assert local_registry(settings).tags(version)[GATE_TAG] == "passed"

    monkeypatch.setenv(env("ARTIFACTS_DIR"), str(settings.artifacts_dir))
    monkeypatch.setenv(env("MIN_ROC_AUC"), "1.0")
    capsys.readouterr()
    written = settings.artifacts_dir / "gate.json"
    assert main(["--report", str(written)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["passed"] is False
    assert json.loads(written.read_text()) == report
    assert local_registry(settings).tags(version)[GATE_TAG] == "failed"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_worse_candidate_than_the_champion_fails(settings: Settings) -> None:
    champion = train(settings)["version"]
    local_registry(settings).set_alias(CHAMPION, champion)
    weak = make_settings(settings.artifacts_dir, regularization=0.0001, max_iter=5)
    train(weak)
    result = evaluate(weak)
    assert not result.passed
    assert result.champion_version == champion


def test_evaluating_without_a_candidate_is_an_error(settings: Settings) -> None:
    with pytest.raises(RegistryError, match="run training first"):
        evaluate(settings)
