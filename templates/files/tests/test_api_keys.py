from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from {{packageName}}.features import EXAMPLE_ROW
from {{packageName}}.serving import api_keys
from {{packageName}}.serving.app import create_app
from {{packageName}}.settings import Settings

BODY = {"rows": [EXAMPLE_ROW]}


def keyed(settings: Settings, keys_file: Path) -> TestClient:
    return TestClient(create_app(settings.model_copy(update={"api_keys_file": keys_file})))


def test_predict_needs_one_of_the_keys(trained_settings: Settings, tmp_path: Path) -> None:
    keys_file = tmp_path / "keys"
    keys_file.write_text("# clients of team A\nkey-one\n\n  key-two  \n")
    with keyed(trained_settings, keys_file) as client:
        missing = client.post("{{predictPath}}", json=BODY)
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Bearer")
        assert "key-one" not in missing.text
        wrong = client.post("{{predictPath}}", json=BODY, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        basic = client.post("{{predictPath}}", json=BODY, headers={"Authorization": "Basic key-one"})
        assert basic.status_code == 401
        bearer = client.post("{{predictPath}}", json=BODY, headers={"Authorization": "Bearer key-one"})
        assert bearer.status_code == 200
        header = client.post("{{predictPath}}", json=BODY, headers={"X-API-Key": "key-two"})
        assert header.status_code == 200
        # The comment line is not a key; probes and /version need none.
        comment = client.post("{{predictPath}}", json=BODY, headers={"X-API-Key": "# clients of team A"})
        assert comment.status_code == 401
        assert client.get("{{readyPath}}").status_code == 200
        assert client.get("{{versionPath}}").status_code == 200
        schema = client.get("/openapi.json").json()
        assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
        assert schema["paths"]["{{predictPath}}"]["post"]["security"] == [{"apiKey": []}]


def test_the_key_is_checked_before_the_body_is_read(
    trained_settings: Settings, tmp_path: Path
) -> None:
    keys_file = tmp_path / "keys"
    keys_file.write_text("key-one\n")
    with keyed(trained_settings, keys_file) as client:
        huge = b"x" * (trained_settings.max_body_bytes + 1)
        response = client.post("{{predictPath}}", content=huge)
        # 401, not 413: nothing of the body was looked at.
        assert response.status_code == 401


def test_a_rotated_key_file_takes_effect_without_a_restart(
    trained_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_keys, "_RECHECK_SECONDS", 0.0)
    keys_file = tmp_path / "keys"
    keys_file.write_text("old-key\n")
    with keyed(trained_settings, keys_file) as client:
        old = {"Authorization": "Bearer old-key"}
        assert client.post("{{predictPath}}", json=BODY, headers=old).status_code == 200
        replacement = tmp_path / "keys.new"
        replacement.write_text("new-key\n")
        replacement.replace(keys_file)
        assert client.post("{{predictPath}}", json=BODY, headers=old).status_code == 401
        new = {"Authorization": "Bearer new-key"}
        assert client.post("{{predictPath}}", json=BODY, headers=new).status_code == 200


@pytest.mark.parametrize(
    ("content", "reason"), [(None, "cannot be read"), ("# none\n\n", "holds no key")]
)
def test_an_unusable_key_file_is_not_ready_and_never_open(
    trained_settings: Settings, tmp_path: Path, content: str | None, reason: str
) -> None:
    keys_file = tmp_path / "keys"
    if content is not None:
        keys_file.write_text(content)
    with keyed(trained_settings, keys_file) as client:
        ready = client.get("{{readyPath}}")
        assert ready.status_code == 503
        assert reason in ready.json()["detail"]
        response = client.post("{{predictPath}}", json=BODY, headers={"X-API-Key": "anything"})
        assert response.status_code == 503


def test_without_a_key_file_no_key_is_needed(trained_settings: Settings) -> None:
    with TestClient(create_app(trained_settings)) as client:
        assert client.post("{{predictPath}}", json=BODY).status_code == 200
        assert "securitySchemes" not in client.get("/openapi.json").json().get("components", {})


def test_docs_can_be_turned_off(trained_settings: Settings) -> None:
    settings = trained_settings.model_copy(update={"docs_enabled": False})
    with TestClient(create_app(settings)) as client:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert client.get(path).status_code == 404
        assert client.post("{{predictPath}}", json=BODY).status_code == 200
