from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from {{packageName}}.features import EXAMPLE_ROW
from {{packageName}}.serving.app import create_app
from {{packageName}}.settings import Settings

from tests.helpers import make_settings


@pytest.fixture
def client(trained_settings: Settings) -> Iterator[TestClient]:
    settings = trained_settings.model_copy(update={"max_batch_size": 5, "git_sha": "abc123"})
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_health_needs_no_model(settings: Settings) -> None:
    with TestClient(create_app(settings)) as empty:
        assert empty.get("{{healthPath}}").json() == {"status": "ok"}
        ready = empty.get("{{readyPath}}")
        assert ready.status_code == 503
        assert ready.json()["status"] == "failed"
        assert "{{championAlias}}" in ready.json()["detail"]
        assert empty.post("{{predictPath}}", json={"rows": [EXAMPLE_ROW]}).status_code == 503


def test_ready_once_the_model_is_loaded(client: TestClient) -> None:
    response = client.get("{{readyPath}}")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def test_predict_scores_a_batch(client: TestClient) -> None:
    response = client.post("{{predictPath}}", json={"rows": [EXAMPLE_ROW, EXAMPLE_ROW]})
    assert response.status_code == 200
    body = response.json()
    assert body["model_name"] == "{{modelName}}"
    assert len(body["predictions"]) == 2
    prediction = body["predictions"][0]
    assert 0.0 <= prediction["probability"] <= 1.0
    assert prediction["label_name"] in {"malignant", "benign"}
    assert response.headers["x-request-id"]


def test_large_batches_and_inline_off_go_through_the_thread_pool(
    trained_settings: Settings,
) -> None:
    settings = trained_settings.model_copy(update={"inline_max_rows": 0})
    with TestClient(create_app(settings)) as threaded:
        one = threaded.post("{{predictPath}}", json={"rows": [EXAMPLE_ROW]}).json()
    with TestClient(create_app(trained_settings)) as inline:
        same = inline.post("{{predictPath}}", json={"rows": [EXAMPLE_ROW]}).json()
        many = inline.post("{{predictPath}}", json={"rows": [EXAMPLE_ROW] * 40}).json()
    # Plain floats (small batches) and NumPy (the thread pool) agree to rounding.
    for threaded_row, inline_row in zip(one["predictions"], same["predictions"], strict=True):
        assert threaded_row["label"] == inline_row["label"]
        assert threaded_row["probability"] == pytest.approx(inline_row["probability"], rel=1e-12)
    assert [row["label"] for row in many["predictions"]] == [same["predictions"][0]["label"]] * 40


def test_request_id_is_echoed_when_valid(client: TestClient) -> None:
    response = client.get("{{healthPath}}", headers={"X-Request-ID": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"
    forged = client.get("{{healthPath}}", headers={"X-Request-ID": "bad id\\nwith newline"})
    assert forged.headers["x-request-id"] != "bad id\\nwith newline"


def test_batch_limit_is_a_422_on_rows(client: TestClient) -> None:
    response = client.post("{{predictPath}}", json={"rows": [EXAMPLE_ROW] * 6})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "rows"]
    assert error["type"] == "too_long"


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"rows": []}, ["body", "rows"]),
        ({"rows": [{**EXAMPLE_ROW, "mean_radius": "big"}]}, ["body", "rows", 0, "mean_radius"]),
        (
            {"rows": [{k: v for k, v in EXAMPLE_ROW.items() if k != "worst_area"}]},
            ["body", "rows", 0, "worst_area"],
        ),
        ({"rows": [{**EXAMPLE_ROW, "unknown": 1.0}]}, ["body", "rows", 0, "unknown"]),
        ({"rows": [{**EXAMPLE_ROW, "mean_area": None}]}, ["body", "rows", 0, "mean_area"]),
        ({"rows": "not a list"}, ["body", "rows"]),
        ({}, ["body", "rows"]),
    ],
)
def test_bad_input_gets_field_level_errors(
    client: TestClient, body: dict[str, object], location: list[object]
) -> None:
    response = client.post("{{predictPath}}", json=body)
    assert response.status_code == 422
    assert location in [error["loc"] for error in response.json()["detail"]]


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b'{"rows": [{"mean_radius": NaN}]}', b"[1, 2, 3]", b"\xff\xfe"],
)
def test_malformed_bodies_are_client_errors(client: TestClient, raw: bytes) -> None:
    headers = {"Content-Type": "application/json"}
    response = client.post("{{predictPath}}", content=raw, headers=headers)
    assert response.status_code == 422


def test_unknown_routes_are_404_and_counted_as_unmatched(client: TestClient) -> None:
    assert client.get("/no/such/route").status_code == 404
    assert 'route="unmatched",status="404"' in client.get("{{metricsPath}}").text


def test_metrics_expose_requests_latency_predictions_and_model_info(client: TestClient) -> None:
    client.post("{{predictPath}}", json={"rows": [EXAMPLE_ROW]})
    client.post("{{predictPath}}", json={"rows": []})
    text = client.get("{{metricsPath}}").text
    assert '{{metrics.requests}}{method="POST",route="{{predictPath}}",status="200"} 1.0' in text
    assert '{{metrics.requests}}{method="POST",route="{{predictPath}}",status="422"} 1.0' in text
    assert '{{metrics.latency}}_bucket{le="0.1",method="POST",route="{{predictPath}}"}' in text
    assert "{{metrics.predictions}}{label=" in text
    assert "{{metrics.predictionValue}}_count 1.0" in text
    [info] = [line for line in text.splitlines() if line.startswith("{{metrics.modelInfo}}{")]
    assert 'model_alias="{{championAlias}}"' in info
    assert 'model_name="{{modelName}}"' in info
    assert 'model_version="1"' in info
    assert info.endswith(" 1.0")


def test_version_reports_model_and_code(client: TestClient) -> None:
    body = client.get("{{versionPath}}").json()
    assert body["model_name"] == "{{modelName}}"
    assert body["model_version"] == "1"
    assert body["model_alias"] == "{{championAlias}}"
    assert body["git_sha"] == "abc123"


def test_openapi_documents_the_feature_schema_with_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    row = schema["components"]["schemas"]["FeatureRow"]
    assert row["additionalProperties"] is False
    assert row["examples"] == [EXAMPLE_ROW]
    assert "{{predictPath}}" in schema["paths"]


def test_an_unknown_model_is_not_ready(trained_settings: Settings) -> None:
    other = make_settings(trained_settings.artifacts_dir, model_name="missing-model")
    with TestClient(create_app(other)) as unready:
        assert unready.get("{{readyPath}}").status_code == 503
