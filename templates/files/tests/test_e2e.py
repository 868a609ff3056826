"""End to end: train, gate and promote through the CLIs, then serve a prediction."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from {{packageName}} import evaluate, promote, train
from {{packageName}}.features import EXAMPLE_ROW
from {{packageName}}.serving.app import create_app

from tests.helpers import env, make_settings


def test_train_gate_promote_serve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    artifacts = tmp_path / "artifacts"
    monkeypatch.setenv(env("ARTIFACTS_DIR"), str(artifacts))
    assert train.main([]) == 0
    assert evaluate.main([]) == 0
    assert promote.main([]) == 0

    with TestClient(create_app(make_settings(artifacts))) as client:
        assert client.get("{{readyPath}}").status_code == 200
        response = client.post("{{predictPath}}", json={"rows": [EXAMPLE_ROW]})
        assert response.status_code == 200
        assert response.json()["model_version"] == "1"
